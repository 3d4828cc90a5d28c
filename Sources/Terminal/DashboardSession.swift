import Dashboard
import Dispatch
import Foundation
import RunLog

/// What the live dashboard and a replay share: the terminal, the signal watcher, the view state, and
/// drawing at most `framesPerSecond` frames a second, and only when something changed. One thread (the
/// one that made it) uses it; `close` (also on deinit) gives the terminal back.
final class DashboardSession {
    let screen: TerminalScreen
    let signals: SignalWatcher
    /// The view state (selection, overlays, and in a replay the replay status).
    var ui: UIState
    let renderOptions: RenderOptions
    private let frameNanos: UInt64
    private var lastDraw: UInt64 = 0
    /// Something changed since the last frame.
    var dirty = true
    /// Draw at once, without waiting for the next frame slot (after a key).
    var urgent = true

    /// Takes the terminal (throws, with nothing drawn, when there is none) and starts watching signals.
    init(options: DashboardOptions, keyMap: KeyMap = .standard) throws {
        screen = try TerminalScreen(noColor: options.noColor)
        signals = SignalWatcher()
        renderOptions = RenderOptions(ascii: options.ascii || !screen.utf8)
        ui = UIState(keyMap: keyMap, readOnly: options.readOnly)
        ui.screen = screen.size
        frameNanos = UInt64(1_000_000_000 / max(1, options.framesPerSecond))
    }

    deinit { close() }

    /// Gives the terminal back, then the signal dispositions (idempotent).
    func close() {
        // The terminal first, before the signals may kill the process again.
        screen.close()
        signals.stop()
    }

    /// Milliseconds to wait for a key: none while `busy` (catching up), until the next frame slot when
    /// something waits to be shown, else `idle`.
    func waitMilliseconds(busy: Bool, idle: Int32 = 100) -> Int32 {
        if busy { return 0 }
        guard dirty else { return idle }
        let now = DispatchTime.now().uptimeNanoseconds
        return max(1, Int32((frameNanos - min(frameNanos, now &- lastDraw)) / 1_000_000))
    }

    /// Handles the keys that concern the terminal itself (a resize, ^L: erase and redraw everything
    /// once). Returns true when `key` was one of them.
    func handleScreenKey(_ key: Key) -> Bool {
        guard key == .resize || key == .ctrl("l") else { return false }
        screen.invalidate()
        ui.screen = screen.size
        dirty = true
        urgent = true
        return true
    }

    /// Draws `model` if something changed and the frame slot has come (or a key made it urgent).
    func drawIfDue(_ model: DashboardModel) {
        let t = DispatchTime.now().uptimeNanoseconds
        guard dirty, urgent || t - lastDraw >= frameNanos else { return }
        ui.sync(with: model)
        screen.draw(render(model: model, ui: ui, size: ui.screen, options: renderOptions))
        lastDraw = t
        dirty = false
        urgent = false
    }
}
