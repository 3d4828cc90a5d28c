#!/usr/bin/env python3
"""A training program for ashb-top's `command` objective, in pure Python (no dependencies).

It trains a logistic-regression classifier with minibatch SGD on a fixed synthetic data set and,
after every epoch, writes one line to stdout: {"resource": <epoch>, "value": <validation log-loss>}.

The protocol, in short:
  - the trial's configuration arrives as a JSON object in $ASHB_CONFIG (here: lr, l2, batch_size,
    momentum), its seed in $ASHB_SEED and the resource to train to in $ASHB_MAX_RESOURCE;
  - one JSON line per step on stdout, flushed; anything else (logs) goes to stderr;
  - train until max_resource and exit 0; ashb-top stops reading (and stops the process) when it
    does not want more, and terminates the process group when the trial ends.
"""
import json
import math
import os
import random
import sys
import time

config = json.loads(os.environ["ASHB_CONFIG"])
seed = int(os.environ.get("ASHB_SEED", "0"))
max_epochs = int(os.environ.get("ASHB_MAX_RESOURCE", "27"))
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


rng = random.Random(seed)
w = [0.0] * FEATURES
b = 0.0
vw = [0.0] * FEATURES
vb = 0.0
print(f"trial seed {seed}: {config}", file=sys.stderr)
for epoch in range(1, max_epochs + 1):
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
    print(json.dumps({"resource": epoch, "value": loss, "seconds": time.monotonic() - started}), flush=True)
