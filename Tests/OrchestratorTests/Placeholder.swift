import Testing
@testable import Orchestrator
