extension KeyMap {
    /// The replay keymap: the replay controls, then the live bindings with the keys the controls take
    /// removed (a binding left without keys is dropped, so help lists every key once and truthfully).
    /// Actions on the run (pause or kill a trial, pause the run) stay listed and are disabled by the
    /// read-only view state, with the reason; quitting a replay stops nothing and does not ask.
    public static let replay: KeyMap = {
        let controls: [KeyBinding] = [
            KeyBinding([.char(" ")], .playPause, "play/pause the replay"),
            KeyBinding([.char("+"), .char("=")], .faster, "faster (x0.25 up to max)"),
            KeyBinding([.char("-")], .slower, "replay slower"),
            KeyBinding([.char(".")], .stepForward, "one event forward (pauses)"),
            KeyBinding([.char(",")], .stepBack, "one event back (pauses)"),
            KeyBinding([.char("]")], .nextDecision, "trial's next decision", requires: [.selectedTrial]),
            KeyBinding(
                [.char("[")], .previousDecision, "trial's previous decision", requires: [.selectedTrial]),
            KeyBinding([.right], .seekForward, "10 s forward"),
            KeyBinding([.left], .seekBack, "10 s back"),
            KeyBinding([.shiftRight, .pageDown], .seekForwardMinute, "1 min forward"),
            KeyBinding([.shiftLeft, .pageUp], .seekBackMinute, "1 min back"),
            KeyBinding([.char("g")], .seekStart, "start of the log"),
            KeyBinding([.char("G")], .seekEnd, "end of the log, following"),
            KeyBinding([.char(":")], .jumpTo, "go to a time or an event"),
        ]
        let taken = Set(controls.flatMap(\.keys))
        var live: [KeyBinding] = []
        for var binding in standard.bindings where binding.action != .detach {
            binding.keys.removeAll { taken.contains($0) }
            if binding.action == .quit {
                binding.description = "quit the replay"
                binding.dangerous = false
            }
            if !binding.keys.isEmpty { live.append(binding) }
        }
        return KeyMap(bindings: controls + live)
    }()
}
