import Testing
@testable import TUI
