"""Read-modify-write of bench/results.json: each benchmark stores its figures under its own key and keeps the others.
The file is replaced in one step (written beside it, then renamed), so a killed benchmark never leaves it half-written."""
import json, os
from pathlib import Path

RESULTS = Path(__file__).resolve().parent/'results.json'

def read_results(): return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}

def save(key, value, merge=False):
    "Store `value` under `key` of results.json; with `merge`, update the dict already there instead of replacing it."
    allres = read_results()
    allres[key] = {**allres.get(key, {}), **value} if merge else value
    tmp = RESULTS.with_name(f'.results.{os.getpid()}.json')
    tmp.write_text(json.dumps(allres, indent=1) + '\n')
    os.replace(tmp, RESULTS)
    print(f"wrote {RESULTS} [{key!r}]")
