extension UIState {
    /// The replay control an action stands for; nil for `jumpTo` (which opens the prompt) and for actions
    /// that are not replay controls.
    static func replayControl(_ action: Action) -> ReplayControl? {
        switch action {
        case .playPause: return .playPause
        case .faster: return .faster
        case .slower: return .slower
        case .stepForward: return .step(1)
        case .stepBack: return .step(-1)
        case .nextDecision: return .nextDecision
        case .previousDecision: return .previousDecision
        case .seekForward: return .seek(seconds: 10)
        case .seekBack: return .seek(seconds: -10)
        case .seekForwardMinute: return .seek(seconds: 60)
        case .seekBackMinute: return .seek(seconds: -60)
        case .seekStart: return .start
        case .seekEnd: return .end
        default: return nil
        }
    }

    /// Carries out a replay action: opens the `:` prompt, or asks for a replay control.
    mutating func performReplay(_ action: Action) -> [Effect] {
        if action == .jumpTo {
            jumpPrompt = ""
            return []
        }
        return Self.replayControl(action).map { [.replay($0)] } ?? []
    }

    /// Keys while typing after `:`: Enter jumps, Esc cancels, Backspace edits.
    mutating func editJump(_ key: Key) -> [Effect] {
        let text = jumpPrompt ?? ""
        switch key {
        case .escape:
            jumpPrompt = nil
        case .enter:
            jumpPrompt = nil
            guard !text.isEmpty else { return [] }
            guard let target = ReplayTarget.parse(text) else {
                flash = "not a time (12m30s, 90s, 1h2m) or an event number: \(text)"
                return []
            }
            return [.replay(.jump(target))]
        case .backspace, .delete:
            if !text.isEmpty { jumpPrompt = String(text.dropLast()) }
        case .char(let c):
            if text.count < 24 { jumpPrompt = text + String(c) }
        default:
            break
        }
        return []
    }
}
