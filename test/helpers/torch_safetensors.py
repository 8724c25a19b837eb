"""The safetensors format written from its specification with struct + json + torch (Debian's
python3-torch has no `safetensors` package), for tests that cross-check Vesalius against PyTorch.

Usage: python3 torch_safetensors.py SCRIPT  -- runs SCRIPT with `load(path)` / `save(path, dict)` defined.
"""
import json
import struct
import sys

import torch

DTYPES = {
    'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16,
    'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8,
    'U8': torch.uint8, 'BOOL': torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}
ITEM = {'F64': 8, 'F32': 4, 'F16': 2, 'BF16': 2, 'I64': 8, 'I32': 4, 'I16': 2, 'I8': 1, 'U8': 1, 'BOOL': 1}


def load(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', {})
    out = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        raw = bytearray(data[8 + n + begin:8 + n + end])
        dtype = DTYPES[info['dtype']]
        if end == begin:
            out[name] = torch.empty(info['shape'], dtype=dtype)
        else:
            out[name] = torch.frombuffer(raw, dtype=dtype).reshape(info['shape']).clone()
    return out, meta


def save(path, tensors, metadata=None):
    order = sorted(tensors.items(), key=lambda kv: (-ITEM[NAMES[kv[1].dtype]], kv[0]))
    header = {}
    if metadata is not None:
        header['__metadata__'] = metadata
    chunks = []
    offset = 0
    for name, t in order:
        t = t.detach().contiguous().cpu()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() > 0 else b''
        header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        offset += len(raw)
        chunks.append(raw)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


if __name__ == '__main__':
    torch.set_num_threads(1)
    code = sys.stdin.read()
    exec(compile(code, '<test>', 'exec'), {'torch': torch, 'load': load, 'save': save, 'argv': sys.argv[1:]})
