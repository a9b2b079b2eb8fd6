#!/usr/bin/env python3
"""Runs every example of the README, as written, in an empty folder, in the README's order.

Usage: readme_examples.py PHYSEC_EXE README.md WORK_DIR [--list]

What counts as an example: every line that starts with `physec ` in a ```sh block, and every ```python block.
The setup blocks (bootstrap/install/cmake) are not examples: the CI runs them itself.
A line is run as written, with these mechanical readings of the README's notation, nothing else:
  - `a|b|c` among a command's words means "one of": the first is run;
  - `[...]` is optional: left out;
  - `# ...` ends the command (a comment);
  - placeholders a reader fills in are filled from the repository: TRAIN.ts / TEST.ts -> the UEA BasicMotions copy
    in tests/data/uea, ckpt.pt -> the checkpoint an earlier example wrote;
  - a `--role bob ... --listen` line is started in the background and the next (`--role alice`) line connects to it;
    both must exit 0.
Size: commands run on the default data, except the training budgets of `keygen train`/`auth train` and the sweep
grid, which SMALL (below) reduces so the suite stays in minutes; every such override is printed.
Exit status 0 when every example exits 0; else the first failure's command and output tail.
"""
import os
import re
import shlex
import subprocess
import sys
import time

# Budgets appended to commands that train or sweep (the data stay the defaults). Keyed by the command's first words.
SMALL = {
    "keygen train": ["--set", "train.epochs=1"],
    "auth train": ["--set", "train.max_steps=20"],
    "auth eval -d mobility.h5 --model all,tdgcn": ["--set", "tdgcn.train.max_steps=20"],
    "auth eval --sweep": ["--set", "sweep.snr_dB=[15.0]", "--set", "sweep.distance_m=[4.0]",
                          "--set", "sweep.speed_mps=[2.0]"],
    "reproduce pla-": ["--set", "snr_dB=[15.0]", "--set", "run.threads=1"],
}


def examples(readme):
    """(kind, text) in README order: kind 'sh' (one physec line) or 'python' (a whole block)."""
    out, block, lang = [], None, None
    for line in open(readme, encoding="utf-8"):
        fence = re.match(r"^```(\w*)\s*$", line)
        if fence:
            if block is None:
                block, lang = [], fence.group(1)
            else:
                if lang == "python":
                    out.append(("python", "".join(block)))
                elif lang == "sh":
                    out.extend(("sh", l.rstrip("\n")) for l in block if l.startswith("physec "))
                block, lang = None, None
            continue
        if block is not None:
            block.append(line)
    return out


def strip_comment(cmd):
    # A '#' that starts a word begins a comment (the README never quotes one).
    words = []
    for w in re.split(r"(\s+)", cmd):
        if w.startswith("#"):
            break
        words.append(w)
    return "".join(words).strip()


def normalise(cmd, uea, state):
    cmd = strip_comment(cmd)
    cmd = re.sub(r"\s*\[[^\]]*\]", "", cmd)  # optional parts
    parts = []
    for w in cmd.split(" "):
        if "|" in w and not w.startswith("$(") and "'" not in w:
            w = w.split("|")[0]
        parts.append(w)
    cmd = " ".join(parts)
    cmd = re.sub(r"\bTRAIN\.ts\b", os.path.join(uea, "BasicMotions_TRAIN.ts"), cmd)
    cmd = re.sub(r"\bTEST\.ts\b", os.path.join(uea, "BasicMotions_TEST.ts"), cmd)
    if "ckpt.pt" in cmd and state.get("checkpoint"):
        cmd = cmd.replace("ckpt.pt", state["checkpoint"])
    for key, extra in SMALL.items():
        if cmd.startswith("physec " + key):
            cmd += " " + " ".join(shlex.quote(e) for e in extra)
            print(f"  (smaller budget for the suite: {' '.join(extra)})")
    return cmd


def main():
    exe, readme, work = sys.argv[1], sys.argv[2], sys.argv[3]
    listing = "--list" in sys.argv[4:]
    repo = os.path.dirname(os.path.abspath(readme))
    uea = os.path.join(repo, "tests", "data", "uea")
    os.makedirs(work, exist_ok=True)
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir, exist_ok=True)
    link = os.path.join(bindir, "physec")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.abspath(exe), link)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    state, background = {}, None
    found = examples(readme)
    if not found:
        print("no examples found in", readme)
        return 1
    for kind, text in found:
        if kind == "python":
            print(f"$ python3 <<'EOF'\n{text}EOF", flush=True)
            if listing:
                continue
            r = subprocess.run(["/usr/bin/python3", "-"], input=text, cwd=work, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
            print(r.stdout[-3000:])
            if r.returncode != 0:
                print(f"FAILED (exit {r.returncode}): python example")
                return 1
            continue
        cmd = normalise(text, uea, state)
        print(f"$ {cmd}", flush=True)
        if listing:
            continue
        if "--role bob" in cmd and "--listen" in cmd:
            for f in ("p",):
                if os.path.exists(os.path.join(work, f)):
                    os.remove(os.path.join(work, f))
            background = (cmd, subprocess.Popen(cmd, shell=True, cwd=work, env=env, text=True,
                                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
            deadline = time.time() + 120
            while not os.path.exists(os.path.join(work, "p")) and time.time() < deadline:
                if background[1].poll() is not None:
                    break
                time.sleep(0.2)
            continue
        t0 = time.time()
        r = subprocess.run(cmd, shell=True, cwd=work, env=env, text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=900)
        print(r.stdout[-1500:], f"[exit {r.returncode}, {time.time() - t0:.1f} s]", flush=True)
        if r.returncode != 0:
            print(f"FAILED: {cmd}")
            return 1
        m = re.search(r"(\S+checkpoint\.pt)", r.stdout)
        if m:
            state["checkpoint"] = m.group(1) if os.path.isabs(m.group(1)) else os.path.join(work, m.group(1))
        if background is not None:
            bcmd, proc = background
            out, _ = proc.communicate(timeout=300)
            print(out[-1500:], f"[background exit {proc.returncode}]")
            background = None
            if proc.returncode != 0:
                print(f"FAILED: {bcmd}")
                return 1
    print(f"{len(found)} README examples ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
