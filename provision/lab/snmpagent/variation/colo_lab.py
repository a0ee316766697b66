"""snmpsim variation module: PDU outlets and switch ports backed by per-device JSON state.

snmpsim's own `writecache` shares writes across every simulated device; the lab needs
each PDU to keep its own outlets and each switch's IF-MIB to follow what its SSH
simulator did, so values live in `$COLO_LAB_STATE/<device>.json`.

Record value syntax: `k=<kind>,d=<device>[,n=<outlet>][,i=<interface>][,on=..,off=..]`.
snmpsim loads this file by path and injects `moduleContext` / `recordContext`.
"""

import json
import os

from pysnmp.proto import rfc1902
from pysnmp.smi import error

from provision.lab.snmpagent import traffic

moduleContext: dict = {}  # snmpsim loads this file into a namespace and sets recordContext per call
recordContext: dict = {}


def init(**context):
    moduleContext["cache"] = {}


def _state(device):
    path = os.path.join(os.environ["COLO_LAB_STATE"], device + ".json")
    try:
        mtime = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return path, {}
    cached = moduleContext["cache"].get(path)
    if cached and cached[0] == mtime:
        return path, cached[1]
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return path, {}
    moduleContext["cache"][path] = (mtime, data)
    return path, data


def _outlet(data, n):
    entry = data.get("outlets", {}).get(str(n), {})
    return bool(entry.get("on", True)), float(entry.get("watts", 0.0))


def _write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)


def _settings(value):
    if "settings" not in recordContext:
        recordContext["settings"] = dict(part.split("=", 1) for part in value.split(","))
    return recordContext["settings"]


def variate(oid, tag, value, **context):
    if not context["nextFlag"] and not context["exactMatch"]:
        return context["origOid"], tag, context["errorStatus"]
    s = _settings(value)
    kind, device = s["k"], s["d"]
    path, data = _state(device)
    if kind in ("admin", "oper"):
        port = data.get("interfaces", {}).get(s["i"], {})
        return oid, tag, rfc1902.Integer32(1 if port.get(kind, "up") == "up" else 2)
    if kind == "uptime":
        return oid, tag, rfc1902.TimeTicks(traffic.uptime_ticks(data))
    if kind in ("in", "out"):
        return oid, tag, rfc1902.Counter64(traffic.octets(data, device, s["i"], kind))
    if kind == "errors":
        return oid, tag, rfc1902.Counter32(0)
    if kind == "total":
        watts = sum(w for on, w in (_outlet(data, n) for n in data.get("outlets", {})) if on)
        return oid, tag, rfc1902.Integer32(int(round(watts / float(s.get("per", "1")))))
    n = int(s["n"])
    on, watts = _outlet(data, n)
    if kind == "watts":
        return oid, tag, rfc1902.Integer32(int(round(watts)) if on else 0)
    if kind == "state":
        misread = data.get("faults", {}).get("reads", {}).get(str(n))  # a state neither on nor off (fault, cycling)
        return oid, tag, rfc1902.Integer32(int(misread if misread is not None else s["on"] if on else s["off"]))
    # kind == "control": reads show the last command's meaning, writes switch the outlet
    if not context["setFlag"]:
        return oid, tag, rfc1902.Integer32(int(s["set_on"] if on else s["set_off"]))
    idx = max(0, context["varsTotal"] - context["varsRemaining"] - 1)
    faults = data.get("faults", {})
    if n in faults.get("refuse_set", []):
        raise error.GenError(name=oid, idx=idx)
    wanted = int(context["origValue"])
    if wanted not in (int(s["set_on"]), int(s["set_off"])):
        raise error.WrongValueError(name=oid, idx=idx)
    if n not in faults.get("stuck", []):
        data = json.loads(json.dumps(data))  # never mutate the cached copy in place
        entry = data.setdefault("outlets", {}).setdefault(str(n), {"on": True, "watts": 0.0})
        entry["on"] = wanted == int(s["set_on"])
        _write(path, data)
    return oid, tag, context["origValue"]


def shutdown(**context):
    moduleContext["cache"] = {}
