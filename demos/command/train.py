"""A training program for ashb-top's `command` objective, in pure Python (no dependencies).

It trains a logistic-regression classifier with minibatch SGD on a fixed synthetic data set and,
after every epoch, reports {"resource": <epoch>, "value": <validation log-loss>} through ashb.py.

The protocol, in short (README, "Tuning your own training script"):
  - the trial's configuration arrives as a JSON object in $ASHB_CONFIG (here: lr, l2, batch_size,
    momentum), its seed in $ASHB_SEED;
  - with `checkpoint: true` the trial has a directory of its own, $ASHB_CHECKPOINT_DIR: the program
    continues from what it saved there, trains to $ASHB_JOB_RESOURCE (the next rung), and after each
    epoch saves its state *before* it reports the epoch; ashb-top ends the process between rungs
    and a later process continues from the checkpoint;
  - one JSON line per step on stdout, flushed; anything else (logs) goes to stderr.
"""
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ashb  # noqa: E402  (the helper next to this file)

config = ashb.config()
seed = ashb.seed()
lr = float(config.get("lr", 0.1))
l2 = float(config.get("l2", 1e-4))
batch_size = int(config.get("batch_size", 16))
momentum = float(config.get("momentum", 0.0))
sleep = float(sys.argv[sys.argv.index("--sleep") + 1]) if "--sleep" in sys.argv else 0.0

# The data set is the same for every trial; the trial's seed only shuffles the minibatches.
data_rng = random.Random(12345)
FEATURES = 8
true_w = [data_rng.gauss(0, 1) for _ in range(FEATURES)]


def sample():
    x = [data_rng.gauss(0, 1) for _ in range(FEATURES)]
    z = sum(w * v for w, v in zip(true_w, x)) + data_rng.gauss(0, 1.0)
    return x, 1.0 if z > 0 else 0.0


train = [sample() for _ in range(400)]
valid = [sample() for _ in range(200)]


def sigmoid(z):
    if z < -30:
        return 1e-13
    if z > 30:
        return 1 - 1e-13
    return 1 / (1 + math.exp(-z))


def log_loss(w, b, rows):
    total = 0.0
    for x, y in rows:
        p = min(max(sigmoid(sum(a * v for a, v in zip(w, x)) + b), 1e-12), 1 - 1e-12)
        total -= y * math.log(p) + (1 - y) * math.log(1 - p)
    return total / len(rows)


state = ashb.load()
if state is None:
    rng = random.Random(seed)
    w, b, vw, vb, done = [0.0] * FEATURES, 0.0, [0.0] * FEATURES, 0.0, 0
else:
    rng = random.Random()
    rng.setstate(state["rng"])
    w, b, vw, vb, done = state["w"], state["b"], state["vw"], state["vb"], state["epoch"]
# Where this process runs: on a Slurm cluster (executor: slurm) its job and node, which stderr.log keeps.
where = ""
if os.environ.get("SLURM_JOB_ID"):
    where = f" (Slurm job {os.environ['SLURM_JOB_ID']} on {os.environ.get('SLURMD_NODENAME', '?')})"
ashb.log(f"trial seed {seed}: {config}; continuing after epoch {done}, training to {ashb.target()}{where}")
if state is not None and done > ashb.recorded():
    # Saved, but ashb-top did not record the line (it died in between): report that epoch again.
    ashb.report(done, state["loss"])
for epoch in range(done + 1, ashb.target() + 1):
    started = time.monotonic()
    order = list(range(len(train)))
    rng.shuffle(order)
    for start in range(0, len(order), batch_size):
        batch = [train[i] for i in order[start:start + batch_size]]
        gw = [l2 * a for a in w]
        gb = 0.0
        for x, y in batch:
            err = sigmoid(sum(a * v for a, v in zip(w, x)) + b) - y
            for j in range(FEATURES):
                gw[j] += err * x[j] / len(batch)
            gb += err / len(batch)
        vw = [momentum * v - lr * g for v, g in zip(vw, gw)]
        vb = momentum * vb - lr * gb
        w = [a + v for a, v in zip(w, vw)]
        b += vb
    if sleep > 0:
        time.sleep(sleep)
    loss = log_loss(w, b, valid)  # may overflow to inf/nan for a wild learning rate: that is data
    ashb.save({"epoch": epoch, "loss": loss, "w": w, "b": b, "vw": vw, "vb": vb, "rng": rng.getstate()})
    ashb.report(epoch, loss, seconds=time.monotonic() - started)
