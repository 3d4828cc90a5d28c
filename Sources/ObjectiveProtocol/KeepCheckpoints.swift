/// Which checkpoints a run keeps once it has ended (`keep_checkpoints`, a top-level spec key and a
/// `command` option): the tuner's in-process checkpoint pack, and a `command` objective's checkpoint
/// directories. A run that ended before its work was done (a signal, a quit) keeps every checkpoint a
/// resume needs, whatever this says.
public enum KeepCheckpoints: String, Sendable, CaseIterable {
    /// Only the best trial's (the default).
    case best
    /// Every trial's that could still continue, and the best's.
    case all
    /// None: the pack is removed, and a trial's directory when the trial ends.
    case none
}
