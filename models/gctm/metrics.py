"""Image and point-cloud metrics: PSNR, SSIM, Laplacian-pyramid SWD, sliced Wasserstein."""
import numpy as np
import torch
import torch.nn.functional as F
from skimage.metrics import structural_similarity


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB of two uint8 images (any shape)."""
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0 ** 2 / mse))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of two uint8 HWC RGB images (Gaussian window, as in Wang et al. 2004)."""
    return float(structural_similarity(a, b, channel_axis=2, data_range=255, gaussian_weights=True,
                                       sigma=1.5, use_sample_covariance=False))


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, projections: int = 256, seed: int = 0) -> float:
    """Sliced 1-Wasserstein distance between two equal-size point sets [n, d]."""
    g = torch.Generator().manual_seed(seed)
    dirs = torch.randn(a.shape[1], projections, generator=g, dtype=torch.float64)
    dirs /= dirs.norm(dim=0, keepdim=True)
    pa = torch.sort(a.double() @ dirs, dim=0).values
    pb = torch.sort(b.double() @ dirs, dim=0).values
    return float((pa - pb).abs().mean())


# -- SWD on Laplacian-pyramid patches (Karras et al. 2018) -------------------------------------------

def _gauss_down(x):
    k = torch.tensor([1, 4, 6, 4, 1], dtype=x.dtype) / 16.0
    k2 = (k[:, None] * k[None, :]).expand(x.shape[1], 1, 5, 5)
    return F.conv2d(F.pad(x, (2, 2, 2, 2), mode="reflect"), k2, stride=2, groups=x.shape[1])


def laplacian_pyramid(x: torch.Tensor, min_size: int = 16):
    """[1, 3, H, W] → list of band-pass levels (fine to coarse) plus the low-pass residual."""
    levels = []
    while min(x.shape[-2:]) >= 2 * min_size:
        low = _gauss_down(x)
        up = F.interpolate(low, size=x.shape[-2:], mode="bilinear", align_corners=False)
        levels.append(x - up)
        x = low
    levels.append(x)
    return levels


def _patches(level: torch.Tensor, n: int, size: int, g: torch.Generator):
    _, c, h, w = level.shape
    ys = torch.randint(0, h - size + 1, (n,), generator=g)
    xs = torch.randint(0, w - size + 1, (n,), generator=g)
    return torch.stack([level[0, :, y:y + size, x:x + size].reshape(-1) for y, x in zip(ys, xs)])


def swd(images_a, images_b, patches_per_image: int = 128, patch: int = 7, seed: int = 0) -> float:
    """SWD ×10³ averaged over pyramid levels between two lists of uint8 HWC images (lower is closer)."""
    g = torch.Generator().manual_seed(seed)
    per_level_a, per_level_b = {}, {}
    for imgs, store in ((images_a, per_level_a), (images_b, per_level_b)):
        for im in imgs:
            x = torch.from_numpy(np.ascontiguousarray(im)).permute(2, 0, 1)[None].double() / 127.5 - 1
            for i, lev in enumerate(laplacian_pyramid(x)):
                if min(lev.shape[-2:]) >= patch:
                    store.setdefault(i, []).append(_patches(lev, patches_per_image, patch, g))
    dists = []
    for i in sorted(set(per_level_a) & set(per_level_b)):
        a, b = torch.cat(per_level_a[i]), torch.cat(per_level_b[i])
        n = min(len(a), len(b))
        a, b = a[:n], b[:n]
        # normalise each descriptor set per channel (Karras et al.), then slice
        a = (a - a.mean(0)) / (a.std(0) + 1e-8)
        b = (b - b.mean(0)) / (b.std(0) + 1e-8)
        dists.append(sliced_wasserstein(a, b, projections=512, seed=seed + i))
    return float(np.mean(dists) * 1e3)
