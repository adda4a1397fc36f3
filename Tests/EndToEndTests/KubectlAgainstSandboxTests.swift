import Foundation
import Testing

/// The real kubectl against `jobflow-tui sandbox`, with the project's CRDs and examples: the
/// commands a user runs, and the columns a real cluster prints.
@Suite(.serialized, .enabled(if: Paths.kubectl() != nil, "kubectl is not installed"))
struct KubectlAgainstSandboxTests {
    let kubectl = Paths.kubectl()!

    func k(_ sandbox: SandboxProcess, _ args: String..., stdin: String? = nil, timeout: Double = 60) throws -> CommandResult {
        try run(kubectl, ["--kubeconfig", sandbox.kubeconfig] + args, stdin: stdin, timeout: timeout)
    }

    @Test func clusterInfoSeesTheInstalledCRDs() throws {
        let sandbox = try SandboxProcess()
        defer { #expect(sandbox.stop() == 0) }
        #expect(sandbox.stdout.contains("with 4 node(s): minikube, node1, node2, node3"))
        let r = try run(Paths.binary, ["cluster-info", "--kubeconfig", sandbox.kubeconfig])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("Version:     v1.32"))
        for kind in ["JobFlow", "DaemonJob", "JobTemplate"] {
            #expect(r.out.contains(kind), "\(r.out)")
        }
        #expect(!r.out.contains("not installed"), "\(r.out)")
        #expect(!r.out.contains("sandbox-token"), "the token must never be printed")
    }

    @Test func theSandboxCarriesItsCRDsOutsideTheCheckout() throws {
        let sandbox = try SandboxProcess(embeddedCRDs: true)
        defer { #expect(sandbox.stop() == 0) }
        let r = try k(sandbox, "get", "crd", "-o", "name")
        #expect(r.status == 0, "\(r.err)")
        for name in ["jobflows", "daemonjobs", "jobtemplates"] {
            #expect(r.out.contains("customresourcedefinition.apiextensions.k8s.io/\(name).api.practice.com"), "\(r.out)")
        }
        let flow = try String(contentsOfFile: Paths.root + "/examples/jobflow-example.yaml", encoding: .utf8)
        let applied = try k(sandbox, "apply", "-f", "-", stdin: flow)
        #expect(applied.status == 0, "\(applied.err)")
    }

    /// The sandbox catches SIGTERM from before it says it is ready: one sent the moment it
    /// prints its kubeconfig stops it cleanly (it used to be lost now and then, and the sandbox
    /// ran on forever).
    @Test func aSIGTERMTheMomentTheSandboxIsReadyStopsIt() throws {
        for _ in 0..<3 {
            let sandbox = try SandboxProcess()
            #expect(sandbox.stop() == 0)
        }
    }

    @Test func clusterInfoFailsClearlyWhenNothingListens() throws {
        let sandbox = try SandboxProcess()
        let kubeconfig = try String(contentsOfFile: sandbox.kubeconfig, encoding: .utf8)
        #expect(sandbox.stop() == 0)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stale-\(UUID().uuidString).yaml").path
        try kubeconfig.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try run(Paths.binary, ["cluster-info", "--kubeconfig", path])
        #expect(r.status != 0)
        #expect(r.err.contains("cannot reach the API server at http://127.0.0.1:"), "\(r.err)")
        #expect(r.err.contains("context \"jobflow-sandbox\""))
    }

    @Test func applyGetDescribeAndDeleteTheExamples() throws {
        let sandbox = try SandboxProcess(arguments: ["--speed", "50"])
        defer { #expect(sandbox.stop() == 0) }
        var r = try k(sandbox, "apply", "-f", Paths.root + "/examples/")
        #expect(r.status == 0, "\(r.err)")
        for name in ["jobflow.api.practice.com/jobflow-example created", "jobtemplate.api.practice.com/job1-template created",
                     "daemonjob.api.practice.com/daemonjob-example created", "jobflow.api.practice.com/jobflow-example-error created"] {
            #expect(r.out.contains(name), "\(r.out)")
        }
        // Applying again changes nothing.
        r = try k(sandbox, "apply", "-f", Paths.root + "/examples/")
        #expect(r.out.contains("jobflow.api.practice.com/jobflow-example unchanged"), "\(r.out)")
        // Server-side apply of the same manifest.
        r = try k(sandbox, "apply", "--server-side", "--force-conflicts", "-f", Paths.root + "/examples/daemonjob-example.yaml")
        #expect(r.status == 0 && r.out.contains("serverside-applied"), "\(r.out)\(r.err)")

        r = try k(sandbox, "get", "jf")
        #expect(r.out.hasPrefix("NAME                       STATUS   PROGRESS   AGE\n"), "\(r.out)")
        r = try k(sandbox, "get", "jobflows", "-o", "wide")
        #expect(r.out.contains("MESSAGE"), "\(r.out)")
        r = try k(sandbox, "get", "dj,jt")
        #expect(r.out.contains("daemonjob.api.practice.com/daemonjob-example") && r.out.contains("jobtemplate.api.practice.com/job2-template"))
        r = try k(sandbox, "get", "jf", "jobflow-example", "-o", "jsonpath={.spec.flows[2].dependencies}")
        #expect(r.out == #"["job1","job2"]"#, "\(r.out)")

        r = try k(sandbox, "label", "jf", "jobflow-example", "team=data")
        #expect(r.out == "jobflow.api.practice.com/jobflow-example labeled\n", "\(r.err)")
        r = try k(sandbox, "annotate", "jf", "jobflow-example", "api.practice.com/retry=job2")
        #expect(r.out == "jobflow.api.practice.com/jobflow-example annotated\n", "\(r.err)")
        r = try k(sandbox, "get", "jf", "-l", "team=data", "-o", "name")
        #expect(r.out == "jobflow.api.practice.com/jobflow-example\n")

        // The schema rejects what it can say: an unknown failurePolicy.
        let bad = "apiVersion: api.practice.com/v1alpha1\nkind: JobFlow\nmetadata: {name: bad}\nspec:\n  failurePolicy: Sometimes\n  flows: [{name: a, jobTemplate: {}}]\n"
        r = try k(sandbox, "apply", "-f", "-", stdin: bad)
        #expect(r.status != 0 && r.err.contains("spec.failurePolicy"), "\(r.err)")

        r = try k(sandbox, "delete", "-f", Paths.root + "/examples/jobflow-example-template.yaml", "--wait")
        #expect(r.out.contains("jobflow.api.practice.com \"jobflow-example-template\" deleted"), "\(r.out)\(r.err)")
        r = try k(sandbox, "get", "jf", "jobflow-example-template")
        #expect(r.err == "Error from server (NotFound): jobflows.api.practice.com \"jobflow-example-template\" not found\n", "\(r.err)")
    }

    @Test func jobsRunWaitLogAndDescribeLikeOnACluster() throws {
        let sandbox = try SandboxProcess(arguments: ["--speed", "50"])
        defer { #expect(sandbox.stop() == 0) }
        var r = try k(sandbox, "create", "job", "e2e", "--image=busybox", "--", "sh", "-c", "echo hello && sleep 5s && echo bye")
        #expect(r.out == "job.batch/e2e created\n", "\(r.err)")
        r = try k(sandbox, "wait", "--for=condition=complete", "job/e2e", "--timeout=60s")
        #expect(r.out == "job.batch/e2e condition met\n", "\(r.out)\(r.err)")
        r = try k(sandbox, "logs", "job/e2e")
        #expect(r.out == "hello\nbye\n", "\(r.out)\(r.err)")
        r = try k(sandbox, "get", "jobs")
        #expect(r.out.hasPrefix("NAME   STATUS     COMPLETIONS   DURATION   AGE\ne2e    Complete   1/1"), "\(r.out)")
        r = try k(sandbox, "get", "pods", "-l", "job-name=e2e")
        #expect(r.out.contains("0/1     Completed   0"), "\(r.out)")
        r = try k(sandbox, "describe", "job", "e2e")
        #expect(r.out.contains("Events:") && r.out.contains("SuccessfulCreate") && r.out.contains("Completed"), "\(r.out)")

        // logs -f of a running job follows until it ends.
        r = try k(sandbox, "create", "job", "slow", "--image=busybox", "--", "sh", "-c", "echo start && sleep 100s && echo end")
        #expect(r.status == 0)
        _ = try k(sandbox, "wait", "--for=jsonpath={.status.active}=1", "job/slow", "--timeout=60s")
        r = try k(sandbox, "logs", "-f", "job/slow", timeout: 90)
        #expect(r.out == "start\nend\n", "\(r.out)\(r.err)")

        // A failing job reports its condition and reason.
        r = try k(sandbox, "create", "job", "bad", "--image=busybox", "--", "sh", "-c", "exit 3")
        r = try k(sandbox, "wait", "--for=condition=failed", "job/bad", "--timeout=60s")
        #expect(r.out == "job.batch/bad condition met\n", "\(r.out)\(r.err)")

        // get -w prints the initial table, then changes; kubectl runs until stopped (here: its own timeout).
        r = try k(sandbox, "get", "jobs", "-w", "--request-timeout=3s", timeout: 30)
        #expect(r.out.contains("e2e ") && r.out.contains("slow ") && r.out.contains("bad "), "\(r.out)")

        r = try k(sandbox, "delete", "job", "e2e", "--wait")
        #expect(r.out == "job.batch \"e2e\" deleted\n", "\(r.err)")
        r = try k(sandbox, "get", "pods", "-l", "job-name=e2e", "-o", "name")
        #expect(r.out.isEmpty, "kubectl deletes jobs with Background propagation: the pods go too; got \(r.out)")
        let audit = try String(contentsOfFile: sandbox.auditLog, encoding: .utf8)
        #expect(audit.contains("\"verb\":\"watch\""))
        #expect(audit.contains("propagationPolicy") || audit.contains("\"verb\":\"delete\""))
    }

    @Test(.enabled(if: Paths.kubectl("1.27") != nil, "kubectl.1.27 is not installed"))
    func kubectl127CanApplyAndGetTheExamples() throws {
        let sandbox = try SandboxProcess()
        defer { #expect(sandbox.stop() == 0) }
        let old = Paths.kubectl("1.27")!
        var r = try run(old, ["--kubeconfig", sandbox.kubeconfig, "apply", "-f", Paths.root + "/examples/jobflow-example.yaml"])
        #expect(r.out == "jobflow.api.practice.com/jobflow-example created\n", "\(r.err)")
        r = try run(old, ["--kubeconfig", sandbox.kubeconfig, "get", "jf"])
        #expect(r.out.hasPrefix("NAME              STATUS   PROGRESS   AGE\njobflow-example"), "\(r.out)")
    }
}
