import ArgumentParser
import Foundation
import TUI

/// How the UI and plain output look.
struct UIOptions: ParsableArguments {
    @Flag(help: "ASCII glyphs and lines instead of Unicode (automatic in a non-UTF-8 locale).")
    var ascii = false

    @Flag(name: .customLong("no-color"), help: "No colours (also when NO_COLOR is set or TERM=dumb).")
    var noColor = false

    var theme: Theme {
        let environment = ProcessInfo.processInfo.environment
        let colors = (environment["TERM"] ?? "").contains("256") ? 256 : 8
        return Theme.resolve(ascii: ascii, noColor: noColor, environment: environment, terminalColors: colors)
    }
}
