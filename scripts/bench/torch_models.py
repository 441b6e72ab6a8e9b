"""PyTorch twins of the benchmark's TF.js models (scripts/bench/models.ts): same layers, sizes, batch and loss.

Each case returns (model, make_inputs(n) -> inputs, make_labels(n) -> labels, loss_fn). Trainable parameter counts
must equal the TF.js side's (the bench prints both). Where TF.js and PyTorch layers differ in their parameters
for the same maths, the twin is adjusted:
- PyTorch's LSTM has two biases per gate (input and recurrent), TF.js one: the recurrent bias is zero and frozen.
- TF.js BatchNormalization / LayerNormalization default to epsilon 1e-3 and a moving-average momentum of 0.99
  (PyTorch momentum 0.01).
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

TF_EPSILON = 1e-3
TF_BN_MOMENTUM = 0.01  # TF.js momentum 0.99 = keep 99% of the old moving average


def batch_norm(channels):
    return nn.BatchNorm2d(channels, eps=TF_EPSILON, momentum=TF_BN_MOMENTUM)


def freeze_recurrent_biases(lstm):
    for name, p in lstm.named_parameters():
        if name.startswith('bias_hh'):
            nn.init.zeros_(p)
            p.requires_grad_(False)
    return lstm


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def mnist_cnn():
    # Valid 3x3 convolutions, 2x2 max pools: 28 -> 26 -> 13 -> 11 -> 5.
    return nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 5 * 5, 64), nn.ReLU(), nn.Linear(64, 10))


def cifar_cnn(widths=(32, 64, 128), convs_per_block=2, dropout=0.2, classes=10):
    """buildCifarCnn() defaults: per block 2 x (conv3x3 'same', no bias - BN - ReLU), max-pool, dropout; GAP, dense."""
    layers, channels = [], 3
    for filters in widths:
        for _ in range(convs_per_block):
            layers += [nn.Conv2d(channels, filters, 3, padding=1, bias=False), batch_norm(filters), nn.ReLU()]
            channels = filters
        layers += [nn.MaxPool2d(2), nn.Dropout(dropout)]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, classes)]
    return nn.Sequential(*layers)


class EmbeddingLstm(nn.Module):
    def __init__(self, vocab=5000, dim=64, units=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.lstm = freeze_recurrent_biases(nn.LSTM(dim, units, batch_first=True))
        self.head = nn.Linear(units, 1)

    def forward(self, tokens):
        _, (h, _) = self.lstm(self.embedding(tokens))
        return self.head(h[-1]).squeeze(1)


class SiameseBilstm(nn.Module):
    """Shared Embedding(100) + BiLSTM(64) encoder, features [u, v, |u-v|, u*v], dense 64 ReLU, one logit."""

    def __init__(self, vocab=10000, dim=100, units=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.lstm = freeze_recurrent_biases(nn.LSTM(dim, units, batch_first=True, bidirectional=True))
        self.hidden = nn.Linear(8 * units, 64)
        self.out = nn.Linear(64, 1)

    def encode(self, tokens):
        _, (h, _) = self.lstm(self.embedding(tokens))
        return torch.cat([h[-2], h[-1]], dim=1)  # last forward state, last backward state

    def forward(self, pair):
        u, v = self.encode(pair[0]), self.encode(pair[1])
        features = torch.cat([u, v, (u - v).abs(), u * v], dim=1)
        return self.out(F.relu(self.hidden(features))).squeeze(1)


class EncoderBlock(nn.Module):
    """Post-norm block as the course's transformerEncoderBlock: LN(x + drop(MHSA(x))), LN(h + drop(FFN(h)))."""

    def __init__(self, dim, heads, ffn, dropout):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value, self.output = (nn.Linear(dim, dim) for _ in range(4))
        self.attention_norm = nn.LayerNorm(dim, eps=TF_EPSILON)
        self.ffn_1, self.ffn_2 = nn.Linear(dim, ffn), nn.Linear(ffn, dim)
        self.ffn_norm = nn.LayerNorm(dim, eps=TF_EPSILON)
        self.dropout = nn.Dropout(dropout)

    def attend(self, x, key_mask):
        batch, time, dim = x.shape
        split = lambda t: t.view(batch, time, self.heads, dim // self.heads).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(dim // self.heads)
        weights = self.dropout(scores.masked_fill(~key_mask, -1e9).softmax(-1))
        return self.output((weights @ v).transpose(1, 2).reshape(batch, time, dim))

    def forward(self, x, key_mask):
        h = self.attention_norm(x + self.dropout(self.attend(x, key_mask)))
        return self.ffn_norm(h + self.dropout(self.ffn_2(F.relu(self.ffn_1(h)))))


class TransformerClassifier(nn.Module):
    """buildTransformerClassifier: embedding, sinusoidal positions, blocks, masked mean pooling, one logit."""

    def __init__(self, vocab, length, dim, heads, ffn, layers, dropout=0.1):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        position = torch.arange(length).unsqueeze(1)
        rate = torch.exp(torch.arange(0, dim, 2) * (-math.log(10000.0) / dim))
        table = torch.zeros(length, dim)
        table[:, 0::2], table[:, 1::2] = torch.sin(position * rate), torch.cos(position * rate)
        self.register_buffer('positions', table)
        self.blocks = nn.ModuleList(EncoderBlock(dim, heads, ffn, dropout) for _ in range(layers))
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(dim, 1)

    def forward(self, ids):
        mask = ids != 0
        x = self.dropout(self.embedding(ids) + self.positions)
        for block in self.blocks:
            x = block(x, mask[:, None, None, :])
        m = mask.unsqueeze(-1).float()
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1)
        return self.out(self.dropout(pooled)).squeeze(1)


def separable(channels_in, channels_out, stride):
    """MobileNet v1 block: depthwise 3x3 - BN - ReLU6, pointwise 1x1 - BN - ReLU6 (no biases)."""
    return [nn.Conv2d(channels_in, channels_in, 3, stride, 1, groups=channels_in, bias=False), batch_norm(channels_in),
            nn.ReLU6(), nn.Conv2d(channels_in, channels_out, 1, bias=False), batch_norm(channels_out), nn.ReLU6()]


# MobileNet v1 alpha 0.25: (output channels, stride) of blocks 1-13 after the 8-filter stride-2 stem.
MOBILENET_BLOCKS = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2)] + [(128, 1)] * 5 + [(256, 2), (256, 1)]


def fold_batch_norms(chain):
    """Each Conv2d - BatchNorm2d pair of an inference-only chain folded into one Conv2d with a bias (PyTorch's own
    fuse_conv_bn_eval), as the TF.js side folds its frozen base (FoldedInference): the same work on both sides."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval
    modules, out = list(chain.eval()), []
    for module in modules:
        if isinstance(module, nn.BatchNorm2d) and out and isinstance(out[-1], nn.Conv2d):
            out[-1] = fuse_conv_bn_eval(out[-1], module)
        else:
            out.append(nn.ReLU6(inplace=True) if isinstance(module, nn.ReLU6) else module)
    return nn.Sequential(*out)


class MobileNetFineTune(nn.Module):
    """MobileNet v1 0.25: frozen base (stem + blocks 1-12, inference mode, no gradients), block 13 and a softmax
    head (global average pooling, dense 10) trained: the notebook 04 fine-tuning. Random weights (speed only)."""

    def __init__(self, classes=10):
        super().__init__()
        layers, channels = [nn.Conv2d(3, 8, 3, 2, 1, bias=False), batch_norm(8), nn.ReLU6()], 8
        for out_channels, stride in MOBILENET_BLOCKS[:-1]:
            layers += separable(channels, out_channels, stride)
            channels = out_channels
        self.base = fold_batch_norms(nn.Sequential(*layers)).requires_grad_(False)
        self.top = nn.Sequential(*separable(channels, MOBILENET_BLOCKS[-1][0], MOBILENET_BLOCKS[-1][1]))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(MOBILENET_BLOCKS[-1][0], classes))

    def forward(self, images):
        self.base.eval()
        with torch.no_grad():
            features = self.base(images)
        return self.head(self.top(features))


# notebooks/05-transformer.ipynb, 'full' profile, MRPC: vocabulary of the training pairs (words seen twice), 9,912.
TRANSFORMER = dict(vocab=9912, length=64, dim=64, heads=4, ffn=128, layers=2)
MOBILENET_IMAGE = 224


def random_tokens(n, vocab, length, min_length):
    """Token ids 1..vocab-1, padded with 0 after a random length (as MRPC pairs are)."""
    ids = torch.randint(1, vocab, (n, length))
    lengths = torch.randint(min_length, length + 1, (n, 1))
    return ids * (torch.arange(length)[None, :] < lengths)


def make_case(name):
    """(model, inputs(n), labels(n), loss) for one benchmark model."""
    classes = lambda n: torch.randint(0, 10, (n,))
    binary = lambda n: torch.randint(0, 2, (n,)).float()
    ce, bce = nn.CrossEntropyLoss(), nn.BCEWithLogitsLoss()
    if name == 'mlp':
        return mlp(), lambda n: torch.randn(n, 784), classes, ce
    if name == 'cnn':
        return mnist_cnn(), lambda n: torch.randn(n, 1, 28, 28), classes, ce
    if name == 'cifar-cnn':
        return cifar_cnn(), lambda n: torch.randn(n, 3, 32, 32), classes, ce
    if name == 'lstm':
        return EmbeddingLstm(), lambda n: torch.randint(0, 5000, (n, 40)), binary, bce
    if name == 'siamese-bilstm':
        return SiameseBilstm(), lambda n: (torch.randint(0, 10000, (n, 40)), torch.randint(0, 10000, (n, 40))), binary, bce
    if name == 'transformer':
        t = TRANSFORMER
        return (TransformerClassifier(t['vocab'], t['length'], t['dim'], t['heads'], t['ffn'], t['layers']),
                lambda n: random_tokens(n, t['vocab'], t['length'], 8), binary, bce)
    if name == 'mobilenet':
        return MobileNetFineTune(), lambda n: torch.randn(n, 3, MOBILENET_IMAGE, MOBILENET_IMAGE), classes, ce
    raise SystemExit(f'unknown model {name!r}')


def trainable_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
