"""GCTM trained from scratch on 2-D problems with known answers (seconds each).

Gaussian → 8 Gaussians and → two moons, with independent and with minibatch-OT coupling, and a paired
toy with a known map x0 = f(x1). Distances are sliced Wasserstein-1 (SW) over 2,000 points; the
thresholds are stated against three yardsticks measured in the same test: the SW between two
independent draws of the target (the sampling floor), the SW of the source itself (doing nothing),
and the SW of the untrained model.
"""
import copy
import functools
import os

import pytest
import torch

from gctm import couplings, data, metrics, solvers
from gctm.config import Gctm
from gctm.time_grid import step_grid
from gctm.trainer import Trainer, build_model, estimate_vars

# Full training per toy. At 1,000 steps, GCTM_TEST_SEED 0–3, the tightest margins are the moons'
# one-step-to-ODE gap, 0.20–0.21 of the distance travelled (limit 0.25; 0.17–0.22 at 1,500 steps),
# and the 8 Gaussians' one-step SW, 0.109–0.126 (limit 0.176); the paired toy's error is 0.012–0.017
# (limit about 0.04). Measured with `tools/toy_steps.py`; the table is in models/README ("eighteenth session").
STEPS = 1000
# The distillation test trains a teacher, then a student, this many steps each: at 1,000 its gap was
# 0.136–0.178 of the travel over seeds 0–2, too near its limit of 0.2.
TEACHER_STEPS = 1500
EARLY = 300           # the "equal steps" snapshot for the OT-vs-independent comparison
BATCH = 128
MLP = {"kind": "mlp", "hidden": 128, "layers": 3}
# GCTM_TEST_SEED=1 (2, 3, ...) reruns every toy at another seed; the thresholds hold at seeds 0–3.
SEED = int(os.environ.get("GCTM_TEST_SEED", "0"))


def gctm_settings(coupling):
    # N = 16 steps, σ_max = 80, EDM's log-normal FM times shifted towards the source for 2-D data.
    return Gctm(coupling=coupling, steps=16, sigma_max=80.0, fm_time="lognormal", fm_params=[-0.5, 1.5],
                lambda_ctm=1.0)


def train_toy(target: str, coupling: str, seed: int, at) -> tuple:
    """Trains one toy from `seed` to the largest of `at` steps: ({step: EMA model then}, untrained model)."""
    torch.manual_seed(seed)
    sample_x0 = data.paired_map if target == "paired" else data.TOY_TARGETS[target]
    g = gctm_settings(coupling)

    def batch(n):
        x1 = data.gaussian(n)
        return (sample_x0(x1) if target == "paired" else sample_x0(n)), x1
    x0, x1 = couplings.get_coupling(coupling)(*batch(1024))
    vars3 = estimate_vars(x0, x1)
    model = build_model(MLP, vars3, g.sigma_min, g.sigma_max)
    untrained = copy.deepcopy(model).eval()
    tr = Trainer(model, g, lr=2e-3, ema=0.99)
    snapshots = {}
    for step in range(1, max(at) + 1):
        tr.step(*batch(BATCH))
        if step in at:
            snapshots[step] = copy.deepcopy(tr.ema).eval()
    return snapshots, untrained


@functools.lru_cache(maxsize=None)
def trained(target: str, coupling: str):
    """(EMA model at EARLY steps, EMA model at STEPS, untrained model); cached across tests."""
    snapshots, untrained = train_toy(target, coupling, SEED, (EARLY, STEPS))
    return snapshots[EARLY], snapshots[STEPS], untrained


def eval_points(target):
    torch.manual_seed(123)
    z = data.gaussian(2000)
    ref = data.TOY_TARGETS[target](2000)
    floor = metrics.sliced_wasserstein(data.TOY_TARGETS[target](2000), ref)
    return z, ref, floor


def sample_distances(model, untrained, target) -> dict:
    """SW to the target of the one-step samples, of the untrained model's, of the source itself, and
    between two draws of the target (the sampling floor)."""
    z, ref, floor = eval_points(target)
    sw = lambda pts: metrics.sliced_wasserstein(pts, ref)
    return {"one": sw(solvers.one_step(model, z)), "before": sw(solvers.one_step(untrained, z)),
            "source": sw(z), "floor": floor}


def ode_agreement(model, target) -> dict:
    """Mean distances from the 64-step ODE's answer: of the one-step jump (`gap`), of one Euler step
    (`euler_gap`), and of the source (`travel`, how far the ODE carries each point)."""
    z, _, _ = eval_points(target)
    ode = solvers.ode_solve(model, z, step_grid(64))
    euler = model.g(z, torch.ones(len(z)), torch.ones(len(z))).detach()  # one Euler step = the posterior mean
    dist = lambda pts: (pts - ode).norm(dim=1).mean().item()
    return {"gap": dist(solvers.one_step(model, z)), "euler_gap": dist(euler), "travel": dist(z)}


def paired_error(model, untrained) -> tuple:
    """Mean distance of the one step from the known map f(x1), and the untrained model's."""
    torch.manual_seed(7)
    x1 = data.gaussian(2000)
    want = data.paired_map(x1)
    err = lambda m: (solvers.one_step(m, x1) - want).norm(dim=1).mean().item()
    return err(model), err(untrained)


def distil(seed: int, steps: int) -> dict:
    """A flow-matching teacher on the 8 Gaussians, then a GCTM student of it, `steps` steps each: the
    student's one step against the teacher's 64-step ODE (`gap`, `travel`) and its SW to the target."""
    torch.manual_seed(seed)
    x0, x1 = data.eight_gaussians(1024), data.gaussian(1024)
    vars3 = estimate_vars(x0, x1)
    fm_cfg = gctm_settings("independent")
    fm_cfg.mode = "fm"
    fm = Trainer(build_model(MLP, vars3, fm_cfg.sigma_min, fm_cfg.sigma_max), fm_cfg, lr=2e-3, ema=0.99)
    for _ in range(steps):
        fm.step(data.eight_gaussians(BATCH), data.gaussian(BATCH))
    student_cfg = gctm_settings("independent")
    student_cfg.lambda_ctm = 10.0  # the teacher's targets are good from the start: trust them more
    student = Trainer(build_model(MLP, vars3, fm_cfg.sigma_min, fm_cfg.sigma_max), student_cfg,
                      lr=2e-3, ema=0.99, teacher=fm.ema)
    for _ in range(steps):
        student.step(data.eight_gaussians(BATCH), data.gaussian(BATCH))
    z, ref, _ = eval_points("8gaussians")
    teacher_ode = solvers.ode_solve(fm.ema, z, step_grid(64))
    one = solvers.one_step(student.ema, z)
    return {"gap": (one - teacher_ode).norm(dim=1).mean().item(), "travel": (teacher_ode - z).norm(dim=1).mean().item(),
            "sw": metrics.sliced_wasserstein(one, ref), "source_sw": metrics.sliced_wasserstein(z, ref)}


# The tests' limits, once: the tests assert against them and tools/toy_steps.py divides by them.
SW_FLOOR_TIMES, SW_FLOOR_PLUS = 4, 0.05  # one-step SW below 4 × the sampling floor + 0.05
SW_SHARE = 0.5        # ... and below half the source's and the untrained model's
ODE_GAP_SHARE = 0.25  # one-step-to-ODE gap below a quarter of the travel (and of one Euler step's gap)
PAIRED_ERROR = 0.05   # the paired toy's error below 0.05 and below 0.05 × the untrained model's
DISTIL_GAP_SHARE = 0.2  # the distilled student's gap below a fifth of the teacher's travel


CASES = [(t, c) for t in ("8gaussians", "moons") for c in ("independent", "ot")]


@pytest.mark.parametrize("target,coupling", CASES)
def test_one_step_samples_match_the_target(target, coupling):
    _, model, untrained = trained(target, coupling)
    d = sample_distances(model, untrained, target)
    one = d["one"]
    print(f"{target}/{coupling}: SW one-step {one:.3f}, floor {d['floor']:.3f}, source {d['source']:.3f}, "
          f"untrained {d['before']:.3f}")
    # Within 4× the sampling floor (two draws of the target itself) plus 0.05 (a few % of the
    # targets' spread of ~1–2), and at most half of doing nothing (the source) or of the untrained
    # network (which, under OT coupling, already moves points part way through its preconditioning).
    assert one < SW_FLOOR_TIMES * d["floor"] + SW_FLOOR_PLUS
    assert one < SW_SHARE * d["source"] and one < SW_SHARE * d["before"]


@pytest.mark.parametrize("target,coupling", CASES)
def test_one_step_agrees_with_the_multi_step_ode(target, coupling):
    _, model, _ = trained(target, coupling)
    a = ode_agreement(model, target)
    gap, travel, euler_gap = a["gap"], a["travel"], a["euler_gap"]
    print(f"{target}/{coupling}: one-step vs ODE {gap:.3f}, one Euler step vs ODE {euler_gap:.3f}, "
          f"distance travelled {travel:.3f}")
    # The one-step jump lands within 25% of the distance the ODE carries each point.
    assert gap < ODE_GAP_SHARE * travel
    if coupling == "independent":
        # Crossing paths make one Euler step (the posterior mean) useless here (~1.2–1.7 from the
        # ODE's answer); the consistency map must do far better. Under OT the paths are nearly
        # straight and one Euler step is already close, which is the point of OT coupling.
        assert gap < ODE_GAP_SHARE * euler_gap


# The paper's claim: OT coupling straightens the paths, so training converges in fewer steps (it
# reports up to 2.5× fewer on CIFAR-10). On the 8 Gaussians, one-step SW of OT over independent at
# steps 300/400/500/600/700, seeds 0–2 (`python3 tools/ot_curve.py`): 0.42–0.46, 0.52–0.58, 0.58–0.79,
# 0.70–0.99, 0.84–0.96: OT is far ahead early and the two nearly meet by 600–700 steps. So the comparison is made at
# 300 steps, where the claim is about speed, not at the end, where both have converged. At 300 steps,
# GCTM_TEST_SEED 0/1/2/3: 8 Gaussians 0.36/0.38/0.45/0.51, two moons 0.43/0.44/0.41/0.44.
OT_GAIN = {"8gaussians": 0.8, "moons": 0.8}


@pytest.mark.parametrize("target", ["8gaussians", "moons"])
def test_ot_coupling_gives_a_smaller_one_step_error_at_equal_steps(target):
    z, ref, _ = eval_points(target)
    err = {}
    for coupling in ("independent", "ot"):
        early, _, _ = trained(target, coupling)
        err[coupling] = metrics.sliced_wasserstein(solvers.one_step(early, z), ref)
    print(f"{target} after {EARLY} steps: SW independent {err['independent']:.3f}, OT {err['ot']:.3f}")
    assert err["ot"] < OT_GAIN[target] * err["independent"]


def test_paired_toy_learns_the_known_map():
    _, model, untrained = trained("paired", "paired")
    err, before = paired_error(model, untrained)
    print(f"paired: one-step error {err:.4f} (untrained {before:.3f})")
    assert err < PAIRED_ERROR and err < PAIRED_ERROR * before


def test_a_pretrained_flow_matching_teacher_replaces_the_ema_solver():
    """With a pre-trained flow-matching model as the ODE teacher (instead of the EMA network), the
    student's one step reproduces the teacher's own multi-step ODE solution: distillation."""
    d = distil(SEED, TEACHER_STEPS)
    print(f"FM teacher: student one-step vs teacher ODE {d['gap']:.3f} (travel {d['travel']:.3f}), SW {d['sw']:.3f}")
    # after 1,500 steps each (one OpenBLAS thread), seeds 0–3: the gap is 10–13 % of the travel (limit
    # 20 %); at seed 0, 0.106 of 0.815 and SW 0.123 against about 0.50 for the source
    assert d["gap"] < DISTIL_GAP_SHARE * d["travel"]
    assert d["sw"] < SW_SHARE * d["source_sw"]


@pytest.mark.parametrize("target", ["8gaussians", "moons"])
def test_sinkhorn_plan_has_uniform_marginals(target):
    """The OT plan's row and column sums are uniform within the stated tolerance, so drawing a
    partner for each source by its row weights every target equally."""
    torch.manual_seed(SEED)
    x0, x1 = data.TOY_TARGETS[target](128), data.gaussian(128)
    cost = torch.cdist(x1.double(), x0.double())
    plan, residual = couplings.sinkhorn(cost / cost.mean(), eps=0.01, tol=1e-3, return_residual=True)
    # the fast multiplicative iteration and the log-domain one give the same plan
    slow = couplings.sinkhorn_log(cost / cost.mean(), eps=0.01, tol=1e-3)
    assert (plan - slow).abs().max() * 128 * 128 < 1e-4
    rows, cols = plan.sum(dim=1) * 128, plan.sum(dim=0) * 128
    print(f"{target}: marginal error rows {(rows - 1).abs().max():.2e}, cols {(cols - 1).abs().max():.2e}")
    assert residual <= 1e-3
    assert (rows - 1).abs().max() <= 1e-3 and (cols - 1).abs().max() <= 1e-3
    # and the plan is a transport plan, not the independent one: mass concentrates on near pairs
    assert (plan * cost).sum() < 0.8 * cost.mean()
    # re-pairing draws each x0 about equally often (the bias the fixed 30 iterations had)
    torch.manual_seed(SEED + 1)
    counts = torch.zeros(128)
    for _ in range(200):
        rows_p = plan / plan.sum(dim=1, keepdim=True)
        counts += torch.bincount(torch.multinomial(rows_p.float(), 1).squeeze(1), minlength=128)
    share = counts / counts.mean()
    assert share.min() > 0.75 and share.max() < 1.25
