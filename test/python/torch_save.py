# stdin: {"out": path, "dtype": "float32"|"bfloat16"|"float16", "tensors": {name: {"shape": [...], "data": [...],
#        optional "dtype": its own}}}
# torch.save()s them as an OrderedDict (a state_dict); stdout: the saved values read back as float32, by name.
import collections, json, sys
import torch

spec = json.load(sys.stdin)
dtype = getattr(torch, spec["dtype"])
sd = collections.OrderedDict(
    (name, torch.tensor(t["data"], dtype=torch.float32).reshape(t["shape"]).to(getattr(torch, t["dtype"]) if "dtype" in t else dtype))
    for name, t in spec["tensors"].items()
)
# As model.state_dict() has it: the per-module versions, pickled as the OrderedDict's state (BUILD).
sd._metadata = collections.OrderedDict([("", {"version": 1}), ("_orig_mod.model.inner", {"version": 1})])
torch.save(sd, spec["out"])
json.dump({name: t.float().flatten().tolist() for name, t in sd.items()}, sys.stdout)
