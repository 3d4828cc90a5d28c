"""ashb.py: the few lines a training script needs to be tuned by ashb-top's `command` objective.

Standard library only; copy it next to your script. See README, "Tuning your own training script".

    import ashb
    cfg = ashb.config()                       # this trial's hyperparameters (a dict)
    state = ashb.load()                       # what the last process of this trial saved, or None
    start = state["epoch"] if state else 0
    if state and start > ashb.recorded():     # saved, but ashb-top died before reading the line
        ashb.report(start, state["loss"])
    for epoch in range(start + 1, ashb.target() + 1):
        ...train one epoch...
        ashb.save({"epoch": epoch, "loss": val_loss, ...})   # save first,
        ashb.report(epoch, val_loss)          # then report
"""
import json
import os
import pickle
import sys


def config():
    """The trial's configuration: a dict of hyperparameter name -> value ($ASHB_CONFIG)."""
    return json.loads(os.environ.get("ASHB_CONFIG", "{}"))


def seed():
    """The trial's seed ($ASHB_SEED): make your training reproducible with it."""
    return int(os.environ.get("ASHB_SEED", "0"))


def target():
    """The resource this process should train to: the job's next rung ($ASHB_JOB_RESOURCE), else the maximum."""
    return int(os.environ.get("ASHB_JOB_RESOURCE") or os.environ.get("ASHB_MAX_RESOURCE") or "1")


def recorded():
    """The last resource ashb-top recorded for this trial ($ASHB_RESOURCE). A checkpoint beyond it
    means ashb-top died between your save and its reading of your line: report that step again."""
    return int(os.environ.get("ASHB_RESOURCE", "0"))


def checkpoint_dir():
    """The trial's own directory for checkpoints ($ASHB_CHECKPOINT_DIR), or None without `checkpoint: true`."""
    return os.environ.get("ASHB_CHECKPOINT_DIR")


def save(state, name="state.pkl"):
    """Saves `state` (anything pickle can write) in the checkpoint directory, atomically: a crash
    leaves the old file or the new one, never half of one. For PyTorch, use torch.save the same way:
    write to a temporary file in checkpoint_dir(), then os.replace() it."""
    directory = checkpoint_dir()
    if directory is None:
        return
    tmp = os.path.join(directory, name + ".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, os.path.join(directory, name))


def load(name="state.pkl"):
    """What the trial's last process saved, or None (a fresh trial)."""
    directory = checkpoint_dir()
    path = os.path.join(directory, name) if directory else None
    if path is None or not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return pickle.load(f)


def report(resource, value, **extra):
    """Reports the metric `value` at `resource` (e.g. the epoch just finished): one line on stdout.
    Call it after save(), so that a restart continues after this resource."""
    line = {"resource": int(resource), "value": float(value)}
    line.update(extra)
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def log(*args):
    """Prints to standard error, which ashb-top keeps in the trial's stderr.log."""
    print(*args, file=sys.stderr, flush=True)
