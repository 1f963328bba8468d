"""One optimisation step of GCTM (or of its baselines) on a coupled batch; the EMA it keeps.

The loop around it (data, checkpoints, logging, evaluation) lives in train.py; the toy tests drive a
Trainer directly.
"""
import copy
import functools

import torch

from . import couplings
from .losses import (banked_source_loss, consistency_loss, exact_source_loss, flow_matching_loss, regression_loss,
                     teacher_denoiser_loss)
from .network import build_network
from .precond import GCTM, MaskedGCTM
from .time_grid import config_base_grid, config_grid


class NonFiniteLoss(RuntimeError):
    """The loss became NaN or infinite: training stops before anything is saved."""


def estimate_vars(x0: torch.Tensor, x1: torch.Tensor, sigma_p: float = 0.0, noise_variance: float = 1.0):
    """[var0, var1, var01] as pooled per-pixel scalars; var1 includes the perturbation σp²·Var ε."""
    a, b = x0.double().flatten(), x1.double().flatten()
    var0 = a.var().item()
    var1 = b.var().item() + sigma_p ** 2 * noise_variance
    var01 = ((a - a.mean()) * (b - b.mean())).mean().item()
    return [var0, var1, var01]


def build_model(net_cfg: dict, vars3, sigma_min: float, sigma_max: float) -> GCTM:
    """The GCTM around the configured network. `mask = true` (inpainting): the state carries the hole
    as one more channel, the network sees it, and the preconditioning is per pixel (MaskedGCTM)."""
    opts = {k: v for k, v in net_cfg.items() if k not in ("kind", "mask")}
    if net_cfg.get("mask"):
        opts["in_channels"] = opts.get("in_channels", 3) + 4  # the RGB, the mask and the coarse fill
        return MaskedGCTM(build_network(net_cfg["kind"], opts), *vars3, sigma_min=sigma_min, sigma_max=sigma_max)
    return GCTM(build_network(net_cfg["kind"], opts), *vars3, sigma_min=sigma_min, sigma_max=sigma_max)


def keep_some_unperturbed(couple, share: float, x0, x1):
    """`couple` with a share of the sources left as given (x1, not x1 + σp·ε). A perturbed source makes
    the one step a sample, but the denoiser of the exact source, which Faithful gives, then sees that
    source only in these samples: with them it is trained as the L2 regressor is. The couplings keep
    x1's order, so the unperturbed rows are x1's own."""
    x0c, x1p = couple(x0, x1)
    keep = (torch.rand(x1.shape[0], device=x1.device) < share).view(-1, *([1] * (x1.dim() - 1)))
    return x0c, torch.where(keep, x1, x1p)


class Trainer:
    def __init__(self, model: GCTM, gcfg, lr: float, ema: float = 0.999, grad_clip: float = 0.0, teacher: GCTM = None,
                 source_bank=None):
        self.model, self.g = model, gcfg
        # the teacher's paths from the source, solved once (gctm.source_bank): the consistency term's
        # source samples read their targets there instead of solving the teacher every step
        self.source_bank = source_bank
        self.ema = copy.deepcopy(model).eval()
        for p in self.ema.parameters():
            p.requires_grad_(False)
        self.ema_decay, self.grad_clip = ema, grad_clip
        self.teacher = teacher.eval() if teacher is not None else None
        # the teacher-denoiser term belongs to a GCTM student distilling its teacher; the flow-matching
        # stage that makes the teacher (and the L2 baseline) trains from the same config without it
        self.teacher_g = gcfg.lambda_teacher_g if gcfg.mode == "gctm" else 0.0
        if self.teacher_g > 0 and self.teacher is None:
            raise ValueError("[gctm].lambda_teacher_g needs a frozen teacher: set [gctm].teacher")
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.grid = config_grid(gcfg)
        self.fine = config_base_grid(gcfg)
        couple = couplings.get_coupling(gcfg.coupling)
        if gcfg.coupling == "ot":
            couple = functools.partial(couple, eps=gcfg.ot_eps, tol=gcfg.ot_tol, max_iters=gcfg.ot_max_iters)
        # the source noise is drawn at 1/sigma_p_scale of x1's resolution (gctm.source_noise)
        self.couple = functools.partial(couple, sigma_p=gcfg.sigma_p, noise_scale=gcfg.sigma_p_scale)
        if gcfg.sigma_p > 0 and gcfg.sigma_p_clean > 0:
            self.couple = functools.partial(keep_some_unperturbed, self.couple, gcfg.sigma_p_clean)
        self.steps_done = 0

    def losses(self, x0, x1, x1_exact=None) -> dict:
        """The loss parts of one coupled batch; `x1_exact` is the source before its perturbation."""
        g = self.g
        if g.mode == "regression":
            return {"l2": regression_loss(self.model, x0, x1)}
        parts = {}
        # A student whose denoisers the teacher-denoiser term holds may leave out flow matching: its
        # target, the data, scatters around the posterior mean the teacher already gives (and the
        # step saves one forward and backward pass).
        if g.lambda_fm > 0:
            parts["fm"] = flow_matching_loss(self.model, x0, x1, self.fine, g.fm_time, g.fm_params)
        if g.mode == "gctm" and self.source_bank is None:
            parts["ctm"] = consistency_loss(self.model, self.ema, x0, x1, self.grid, g.ctm_beta, g.distance,
                                            teacher_fn=self.teacher, source_p=g.ctm_source_p, endpoint_p=g.ctm_endpoint_p)
        elif g.mode == "gctm":
            parts["ctm"] = self._banked_consistency(x0, x1)
        if self.teacher_g > 0:
            parts["teacher_g"] = teacher_denoiser_loss(self.model, self.teacher, x0, x1, self.fine)
        if g.lambda_exact > 0 and x1_exact is not None:
            parts["exact"] = exact_source_loss(self.model, x0, x1_exact)
        return parts

    def _banked_consistency(self, x0, x1):
        """The consistency term with its source share from the bank: the same mix of samples and the same
        per-sample distances as `consistency_loss` with `source_p`, averaged over the batch."""
        g, B = self.g, x0.shape[0]
        n_source = int((torch.rand(B) < g.ctm_source_p).sum())
        per = []
        if n_source < B:
            per.append(consistency_loss(self.model, self.ema, x0[n_source:], x1[n_source:], self.grid, g.ctm_beta,
                                        g.distance, teacher_fn=self.teacher, source_p=0.0, reduce=False))
        if n_source > 0:
            per.append(banked_source_loss(self.model, self.source_bank, n_source, self.grid, g.ctm_beta, g.distance,
                                          endpoint_p=g.ctm_endpoint_p))
        return torch.cat(per).mean()

    def step(self, x0: torch.Tensor, x1: torch.Tensor) -> dict:
        """Couple, compute the losses, take one Adam step, update the EMA; returns the loss parts."""
        exact = x1
        x0, x1 = self.couple(x0, x1)
        self.model.train()
        parts = self.losses(x0, x1, exact)
        weights = {"fm": self.g.lambda_fm, "ctm": self.g.lambda_ctm, "exact": self.g.lambda_exact,
                   "teacher_g": self.teacher_g}
        total = sum(v * weights.get(k, 1.0) for k, v in parts.items())
        if not torch.isfinite(total):
            detail = ", ".join(f"{k}={v.item():.4g}" for k, v in parts.items())
            raise NonFiniteLoss(f"the loss is not finite at step {self.steps_done + 1} ({detail}); "
                                f"lower [train].lr or check the data; no checkpoint was written for this step")
        self.opt.zero_grad(set_to_none=True)
        total.backward()
        if self.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.grad_clip)
        self.opt.step()
        self._update_ema()
        self.steps_done += 1
        out = {k: v.item() for k, v in parts.items()}
        if self.g.coupling == "ot" and couplings.LAST_RESIDUAL["value"] is not None:
            out["ot_marginal_err"] = couplings.LAST_RESIDUAL["value"]
        out["loss"] = total.item()
        return out

    @torch.no_grad()
    def _update_ema(self):
        d = self.ema_decay
        for pe, pm in zip(self.ema.parameters(), self.model.parameters()):
            pe.mul_(d).add_(pm.detach(), alpha=1.0 - d)
        for be, bm in zip(self.ema.buffers(), self.model.buffers()):
            be.copy_(bm)
