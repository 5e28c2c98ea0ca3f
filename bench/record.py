"""Read-modify-write of bench/results.json: each benchmark stores its figures under its own key and keeps the others.
The file is replaced in one step (written beside it, then renamed), so a killed benchmark never leaves it half-written.

Every record carries `machine` in one structure (`machine_info()`), filled in here from /proc/cpuinfo (or `lscpu`), so
a benchmark need not describe its machine; whatever a script passes as `machine` (a prose string, the older dict of
nproc/cpu/versions) is turned into that structure, its library versions moved to `software` and its load average
to `loadavg_start`. With `merge`, each dict value of `value` is a record (`save('accuracy', {name: run}, merge=True)`).

When a record is replaced by one measured on another CPU kind, the old record is kept under
`machine_<label>_<date>` (like `machine_B_2026-11-22`), and dict entries the script carried over unchanged from it
are dropped from the new one: a figure is never attributed to a machine that did not measure it.

    python bench/record.py    # prints this machine's structure
"""
import json, os, platform, re, subprocess, sys, time
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).resolve().parent/'results.json'
FLAGS = ('avx2', 'avx512f', 'avx512_bf16', 'amx')  # the flags that decide TF's oneDNN path, bf16 speed and AMX
SOFTWARE = ('python', 'tensorflow', 'keras', 'numpy', 'torch', 'jax')
KEEP = ('machine', 'software')  # describe the record, not a figure: never dropped as carried over
MACHINE_KEYS = ('label', 'cpu', 'model_name', 'vendor', 'family', 'model', 'microarch', 'vcpus', 'flags', 'accelerator', 'attribution')
LABELS = {'Zen 3': 'A', 'Zen 4': 'C'}  # bench/README.md's names for the CPU kinds sessions got; B: Intel Xeon with AMX; D: Intel Xeon with AVX-512 bf16, no AMX shown
_REPLACED = {}  # key -> the record of another machine this process moved aside (its carried-over entries are dropped)


def microarch(vendor, family, model, avx512f=None):
    "AMD's microarchitecture from CPUID family/model ('Zen 3', 'Zen 4', 'Zen 5'); None where it cannot be told."
    if vendor != 'AuthenticAMD' or family is None: return None
    if family == 0x1a: return 'Zen 5'
    if family != 0x19: return None
    if model is not None:
        if model <= 0x0f or 0x20 <= model <= 0x5f: return 'Zen 3'
        if 0x10 <= model <= 0x1f or 0x60 <= model <= 0x7f: return 'Zen 4'
    return 'Zen 4' if avx512f else None  # Zen 3 has no AVX-512; a hypervisor may hide it on Zen 4, so its absence tells nothing


def label(vendor, arch, flags):
    "A, B, C or D (bench/README.md, 'The machines'): Zen 3, Intel with AMX, Zen 4, Intel with AVX-512 bf16 and no AMX shown; None for another CPU kind."
    if arch in LABELS: return LABELS[arch]
    if vendor == 'GenuineIntel' and flags.get('amx'): return 'B'
    if vendor == 'GenuineIntel' and flags.get('avx512_bf16'): return 'D'
    return None


def short_name(name):
    "'Intel(R) Xeon(R) Processor' -> 'Intel Xeon'; 'AMD EPYC 7B13 64-Core Processor' -> 'AMD EPYC 7B13'."
    if not name: return None
    name = re.sub(r'\((R|TM|tm)\)', '', name)
    name = re.sub(r'\s+\d+-Core Processor|\s+Processor|\s+CPU\b.*$|\s+@.*$', '', name)
    return ' '.join(name.split()) or None


def _cpu_fields():
    "vendor, model name, family, model and flags of the first CPU, from /proc/cpuinfo or else `lscpu`; {} where neither answers."
    try: text = Path('/proc/cpuinfo').read_text().split('\n\n')[0]
    except OSError: text = ''
    keys = dict(vendor_id='vendor', **{'model name': 'model_name', 'cpu family': 'family', 'model': 'model', 'flags': 'flags'})
    if not text.strip():
        try: text = subprocess.run(['lscpu'], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError): text = ''
        keys = {'Vendor ID': 'vendor', 'Model name': 'model_name', 'CPU family': 'family', 'Model': 'model', 'Flags': 'flags'}
    out = {}
    for line in text.splitlines():
        k, sep, v = line.partition(':')
        if sep and k.strip() in keys and keys[k.strip()] not in out: out[keys[k.strip()]] = v.strip()
    return out


def machine_info():
    "This machine in the structure every record of results.json uses (flags None where they cannot be read)."
    f = _cpu_fields()
    num = lambda s: int(s) if s and s.strip().isdigit() else None
    vendor, family, model = f.get('vendor') or None, num(f.get('family')), num(f.get('model'))
    fl = set(f['flags'].split()) if 'flags' in f else None
    flags = {k: (None if fl is None else any(x.startswith('amx') for x in fl) if k == 'amx' else k in fl) for k in FLAGS}
    arch = microarch(vendor, family, model, flags['avx512f'])
    name = f.get('model_name') or platform.processor() or None
    cpu = short_name(name)
    return dict(label=label(vendor, arch, flags), cpu=f"{cpu} ({arch})" if cpu and arch else cpu, model_name=name, vendor=vendor,
                family=family, model=model, microarch=arch, vcpus=os.cpu_count(), flags=flags, accelerator=None, attribution='detected')


def software_info():
    "Versions of Python and of the installed numeric libraries, read without importing them."
    out = {'python': platform.python_version()}
    for p in SOFTWARE[1:]:
        try: out[p] = metadata.version(p)
        except metadata.PackageNotFoundError: pass
    return out


def _accelerator(text):
    "{'name': 'NVIDIA H100', 'count': 1} from prose such as '1x NVIDIA H100 (device machine), ...'; None if it names no GPU."
    m = re.search(r'(?:(\d+)\s*[x×]\s*)?(NVIDIA\s+[\w-]+|AMD\s+Instinct\s+[\w-]+)', text or '')
    return dict(name=m[2].strip(), count=int(m[1]) if m[1] else 1) if m else None


def normalise_record(rec):
    "`rec` with `machine` in the one structure, its library versions under `software` and its load average under `loadavg_start`."
    rec = dict(rec)
    given = rec.get('machine')
    if isinstance(given, dict) and 'flags' in given:  # already structured: only complete its keys
        rec['machine'] = {**{k: given.get(k) for k in MACHINE_KEYS}, 'flags': {k: (given['flags'] or {}).get(k) for k in FLAGS}}
        return rec
    software, load = {}, None
    if isinstance(given, dict):  # the older machine_info() of train_speed.py: nproc, cpu, loadavg_start, versions
        software = {k: v for k, v in given.items() if k in SOFTWARE}
        load = given.get('loadavg_start')
    elif isinstance(given, str):  # prose, e.g. 'x86_64, 2 CPUs, load average 1.8'
        m = re.search(r'load average\s+([\d.]+)', given)
        if m: load = [float(m[1]), None, None]
    acc = _accelerator(given) if isinstance(given, str) else None
    # a record without a structured machine is a fresh measurement: what it carries from an older record is replaced
    rec.pop('software', None); rec.pop('loadavg_start', None)
    if acc:  # measured on a device machine (bench/gpu_reference.py): this host's CPU and libraries say nothing about it
        rec['machine'] = {**{k: None for k in MACHINE_KEYS}, 'flags': {k: None for k in FLAGS}, 'accelerator': acc, 'attribution': 'given'}
    else:
        rec['machine'] = machine_info()
        rec['software'] = software or software_info()
    if load is not None: rec['loadavg_start'] = load
    rec['recorded'] = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
    return rec


def _kind(m):
    "What makes two machines the same CPU kind for these figures."
    m = m if isinstance(m, dict) else {}
    return (m.get('label'), m.get('cpu'), json.dumps(m.get('flags'), sort_keys=True), json.dumps(m.get('accelerator'), sort_keys=True))


def _drop_carried(new, old):
    "`new` without the dict entries equal to the same entry of `old` (figures the script copied from the old record)."
    out = {}
    for k, v in new.items():
        if k not in KEEP and isinstance(v, dict) and isinstance(old.get(k), dict):
            if v == old[k]: continue
            v = _drop_carried(v, old[k])
        out[k] = v
    return out


def read_results(path=None):
    p = Path(path or RESULTS)
    return json.loads(p.read_text()) if p.exists() else {}


def save(key, value, merge=False, path=None):
    "Store the record `value` under `key` of results.json; with `merge`, update the dict there with `value`'s records instead of replacing it."
    path = Path(path or RESULTS)
    allres = read_results(path)
    old = allres.get(key, {})
    if merge:
        allres[key] = {**old, **{k: normalise_record(v) if isinstance(v, dict) else v for k, v in value.items()}}
    else:
        new = normalise_record(value)
        if isinstance(old, dict) and 'machine' in old and _kind(old['machine']) != _kind(new['machine']):
            m = old['machine'] if isinstance(old['machine'], dict) else {}
            shelf = f"machine_{m.get('label') or 'other'}_{(old.get('recorded') or 'undated')[:10]}"
            while key in allres.get(shelf, {}): shelf += '+'
            allres.setdefault(shelf, {})[key] = old
            _REPLACED[(str(path), key)] = old
            print(f"{path.name}: {key!r} of another machine kept under {shelf!r}", file=sys.stderr)
        if (str(path), key) in _REPLACED: new = _drop_carried(new, _REPLACED[(str(path), key)])
        allres[key] = new
    tmp = path.with_name(f'.{path.stem}.{os.getpid()}.json')
    tmp.write_text(json.dumps(allres, indent=1) + '\n')
    os.replace(tmp, path)
    print(f"wrote {path} [{key!r}]")


if __name__ == '__main__': print(json.dumps(machine_info(), indent=1))
