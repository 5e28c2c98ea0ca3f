"""PyTorch reference U-Net with the architecture of `lgg_unet.unet.build_unet` (for speed comparisons only).

Same layers as `build_unet(filters=f, depth=4, batchnorm=False)`: per stage two 3x3 'same' convolutions with bias and
ReLU, 2x2 max pooling, a bottleneck block, 2x2 stride-2 transposed convolutions, concatenation [up, skip], and a
1x1 sigmoid convolution; hence the same parameter count (checked in `__main__`). Layout NCHW, as in
mateuszbuda/brain-segmentation-pytorch, which differs only by batch norm and no conv bias.
"""
import torch
from torch import nn

def conv_block(cin, cout, batchnorm=False):
    "Two 3x3 convolutions with ReLU (batch-normalised without conv bias if `batchnorm`), as `lgg_unet.unet.conv_block`."
    layers = []
    for c in (cin, cout):
        layers += [nn.Conv2d(c, cout, 3, padding=1, bias=not batchnorm)] + ([nn.BatchNorm2d(cout)] if batchnorm else []) + [nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)

class TorchUNet(nn.Module):
    "U-Net for binary segmentation: sigmoid mask (B, 1, H, W) of an image (B, C, H, W)."
    def __init__(self, channels=3, filters=64, depth=4, batchnorm=False, batchnorm_from=1):  # batchnorm_from: as build_unet's (stages from 1)
        super().__init__()
        f = [filters * 2**i for i in range(depth + 1)]
        bn = lambda i: batchnorm and i + 1 >= batchnorm_from  # 0-based stage i here; depth: the bottleneck
        self.enc = nn.ModuleList([conv_block(channels if i == 0 else f[i-1], f[i], bn(i)) for i in range(depth)])
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = conv_block(f[depth-1], f[depth], bn(depth))
        self.up = nn.ModuleList([nn.ConvTranspose2d(f[i+1], f[i], 2, stride=2) for i in range(depth)])
        self.dec = nn.ModuleList([conv_block(2*f[i], f[i], bn(i)) for i in range(depth)])
        self.head = nn.Conv2d(f[0], 1, 1)

    def forward(self, x):
        skips = []
        for enc in self.enc:
            x = enc(x); skips.append(x); x = self.pool(x)
        x = self.bottleneck(x)
        for i in reversed(range(len(self.dec))):
            x = self.dec[i](torch.cat([self.up[i](x), skips[i]], dim=1))
        return torch.sigmoid(self.head(x))

def bce_dice_loss(p, t, smooth=1.0):
    "Mean over the batch of pixel-averaged BCE + soft Dice loss per sample, as `lgg_unet.train.BCEDiceLoss`."
    bce = nn.functional.binary_cross_entropy(p, t, reduction='none').mean(dim=(1, 2, 3))
    inter, sp, st = (p*t).sum(dim=(1, 2, 3)), p.sum(dim=(1, 2, 3)), t.sum(dim=(1, 2, 3))
    return (bce + 1 - (2*inter + smooth) / (sp + st + smooth)).mean()

def n_params(model): return sum(p.numel() for p in model.parameters())

if __name__ == '__main__':
    from lgg_unet.unet import build_unet
    for f in (16, 32, 64):
        k, t = build_unet((128, 128, 3), filters=f).count_params(), n_params(TorchUNet(3, f))
        print(f"filters {f}: keras {k:,} torch {t:,} ratio {t/k:.4f}")
