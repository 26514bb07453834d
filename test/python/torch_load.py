# argv[1]: a checkpoint; torch.load(weights_only=True) it (refusing anything but tensors) and print each tensor's
# dtype, shape and float32 values as JSON, by name.
import json, sys
import torch

sd = torch.load(sys.argv[1], map_location="cpu", weights_only=True)
json.dump({name: {"dtype": str(t.dtype), "shape": list(t.shape), "data": t.flatten().tolist()} for name, t in sd.items()}, sys.stdout)
