import Testing
@testable import KubeSandbox

@Suite struct ContainerProgramTests {
    func sh(_ script: String, env: [String: String] = [:]) -> ContainerProgram {
        ContainerProgram.derive(command: ["sh", "-c", script], args: [], env: env)
    }

    @Test func sleepSeconds() {
        #expect(sh("sleep 10s") == ContainerProgram(lines: [], duration: .seconds(10), exitCode: 0))
        #expect(sh("sleep 100s").duration == .seconds(100))
        #expect(ContainerProgram.derive(command: ["sleep", "5"], args: [], env: [:]).duration == .seconds(5))
        #expect(ContainerProgram.derive(command: ["sleep"], args: ["1.5"], env: [:]).duration == .milliseconds(1500))
        #expect(sh("sleep 2m; sleep 1h").duration == .seconds(3720))
    }

    @Test func sleepThenExit() {
        #expect(sh("sleep 10s && exit 1") == ContainerProgram(lines: [], duration: .seconds(10), exitCode: 1))
        #expect(sh("exit 3; sleep 5").exitCode == 3)
        #expect(sh("exit 3; sleep 5").duration == .zero)
        #expect(sh("false").exitCode == 1)
        #expect(sh("false && sleep 5").duration == .zero)
        #expect(sh("false || echo recovered").lines.map(\.text) == ["recovered"])
        #expect(sh("false && echo no || echo yes").lines.map(\.text) == ["yes"])
        #expect(sh("true || exit 4").exitCode == 0)
        #expect(sh("exit 300").exitCode == 44)
    }

    @Test func echoAndEnv() {
        let p = sh("echo hello && env", env: ["B": "2", "A": "1"])
        #expect(p.lines.map(\.text) == ["hello", "A=1", "B=2"])
        #expect(p.exitCode == 0)
        #expect(p.duration == .zero)
    }

    @Test func logLinesCarryTheirTime() {
        let p = sh("echo start; sleep 3; echo \"done $NAME\"; exit 2", env: ["NAME": "x"])
        #expect(p.lines == [.init(at: .zero, text: "start"), .init(at: .seconds(3), text: "done x")])
        #expect(p.duration == .seconds(3))
        #expect(p.exitCode == 2)
    }

    @Test func quotingAndExpansion() {
        let env = ["V": "val", "E": ""]
        #expect(sh("echo 'a  $V' \"b  $V\" ${V}x ${E:-dflt} $MISSING.", env: env).lines.map(\.text) == ["a  $V b  val valx dflt ."])
        #expect(sh(#"echo a\ b "q\"uote""#).lines.map(\.text) == [#"a b q"uote"#])
        #expect(sh("printenv V MISSING", env: env).lines.map(\.text) == ["val"])
        #expect(sh("printenv V MISSING", env: env).exitCode == 1)
        #expect(sh("echo hidden > /tmp/f; echo shown 2>&1").lines.map(\.text) == ["shown"])
        #expect(sh("# comment\necho x # trailing").lines.map(\.text) == ["x"])
        #expect(ContainerProgram.derive(command: ["echo", "$(V)", "$$(V)"], args: [], env: env).lines.map(\.text) == ["val $(V)"])
    }

    @Test func unknownCommandsAreInstantSuccess() {
        #expect(sh("cat /etc/hosts; ls -l") == ContainerProgram(lines: [], duration: .zero, exitCode: 0))
        #expect(ContainerProgram.derive(command: ["python", "main.py"], args: [], env: [:]).exitCode == 0)
    }

    @Test func noCommandRunsOneSecond() {
        #expect(ContainerProgram.derive(command: [], args: [], env: [:]) == ContainerProgram(lines: [], duration: .seconds(1), exitCode: 0))
    }

    @Test func invalidSleepFails() {
        let p = sh("sleep abc")
        #expect(p.exitCode == 1)
        #expect(p.lines.map(\.text) == ["sleep: invalid time interval 'abc'"])
    }

    @Test func hostileInputIsBounded() {
        let garbage = [
            "", "&&", "|| ;; && |", "'unterminated", "\"unterminated $", "${", "${A", "$", "\\", ">", "2>&", "<",
            "sleep 1e999", "sleep -5", "sleep 99999999999999999999999", "exit 99999999999999999999999",
            "echo \u{0}\u{1B}[31m", String(repeating: "(", count: 10_000),
        ]
        for g in garbage {
            let p = sh(g)
            #expect(p.duration <= ContainerProgram.maxDuration)
        }
        let loud = sh(String(repeating: "echo x; ", count: 20_000))
        #expect(loud.lines.count <= ContainerProgram.maxLogLines)
        let long = sh(String(repeating: "sleep infinity; ", count: 100))
        #expect(long.duration == ContainerProgram.maxDuration)
        let huge = sh("echo " + String(repeating: "y", count: 200_000))
        #expect(huge.lines.allSatisfy { $0.text.utf8.count <= ContainerProgram.maxLineBytes })
    }
}
