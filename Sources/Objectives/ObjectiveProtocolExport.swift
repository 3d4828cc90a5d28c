// The built-in objectives implement the objective protocol (its own module, `ObjectiveProtocol`, which
// the tuner depends on alone). Whoever imports the built-in objectives sees the protocol too.
@_exported import ObjectiveProtocol
