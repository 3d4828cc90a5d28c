/// The experiment `ashb-top` runs with no arguments: a small neural network on the handwritten-digits
/// data, tuned for a few minutes on 4 workers. Kept here so a fresh checkout needs no files to try it;
/// `demos/digits.yaml` holds the same text.
let demoSpecText = """
    # The built-in demo: a one-hidden-layer network on the UCI handwritten digits, epochs as resource.
    name: digits-demo
    objective: digits-mlp
    space:
      learning_rate: {type: loguniform, low: 0.001, high: 1.0}
      hidden_units: {type: logint, low: 8, high: 128}
      l2: {type: loguniform, low: 0.000001, high: 0.1}
      batch_size: {type: choice, values: [16, 32, 64, 128]}
      momentum: {type: uniform, low: 0.0, high: 0.95}
    scheduler:
      variant: promotion
      min_resource: 1
      max_resource: 81
      eta: 3
      brackets: 1
    workers: 4
    budget:
      trials: 20000
      seconds: 180
    seed: 2026

    """
