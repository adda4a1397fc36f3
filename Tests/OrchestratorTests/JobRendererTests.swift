import JobFlowAPI
import Kube
import Testing
@testable import Orchestrator

@Suite struct JobRendererTests {
    let owner = Owner(kind: "JobFlow", name: "flow", namespace: "ns", uid: "u1")

    func spec(global: GlobalParams = GlobalParams(), volumes: [JSONValue] = []) -> JobFlowSpec {
        JobFlowSpec(globalParams: global, shareVolumes: volumes, flows: [])
    }

    func render(_ podSpec: JSONValue, jobSpecExtras: [String: JSONValue] = [:], global: GlobalParams = GlobalParams(),
                volumes: [JSONValue] = [], mounts: [JSONValue] = [], podMeta: JSONValue? = nil) -> RenderedJob {
        var jobSpec: JSONValue = ["template": ["spec": podSpec]]
        if let podMeta { jobSpec[path: "template.metadata"] = podMeta }
        for (k, v) in jobSpecExtras { jobSpec[k] = v }
        let entry = FlowEntry(name: "job1", jobTemplate: jobSpec, shareVolumeMounts: mounts)
        return JobRenderer.render(flowEntry: entry, of: spec(global: global, volumes: volumes), owner: owner, jobSpec: jobSpec, attempt: 1)
    }

    @Test func identityOwnerAndDefaults() {
        let r = render(["containers": [Fixtures.container()]])
        let job = r.job
        #expect(job[path: "metadata.name"] == "flow-job1")
        #expect(job[path: "metadata.namespace"] == "ns")
        #expect(job[path: "metadata.labels"]?["api.practice.com/jobflow"] == "flow")
        #expect(job[path: "metadata.labels"]?["api.practice.com/flow"] == "job1")
        #expect(job[path: "spec.template.metadata.labels"]?["api.practice.com/flow"] == "job1")
        #expect(job[path: "metadata.annotations"]?["api.practice.com/attempt"] == "1")
        let ref = job[path: "metadata.ownerReferences"]?[0]
        #expect(ref == ["apiVersion": "api.practice.com/v1alpha1", "kind": "JobFlow", "name": "flow", "uid": "u1",
                        "controller": true, "blockOwnerDeletion": true])
        #expect(job[path: "spec.backoffLimit"] == 0)
        #expect(job[path: "spec.template.spec.restartPolicy"] == "Never")
        #expect(r.warnings.isEmpty)
    }

    @Test func backoffLimitGivenIsKept() {
        #expect(render(["containers": [Fixtures.container()]], jobSpecExtras: ["backoffLimit": 3]).job[path: "spec.backoffLimit"] == 3)
    }

    @Test func restartPolicyIsOverriddenWithAWarning() {
        let r = render(["restartPolicy": "OnFailure", "containers": [Fixtures.container()]])
        #expect(r.job[path: "spec.template.spec.restartPolicy"] == "Never")
        #expect(r.warnings.count == 1)
        #expect(r.warnings[0].contains("OnFailure"))
        #expect(render(["restartPolicy": "Never", "containers": [Fixtures.container()]]).warnings.isEmpty)
    }

    @Test func envMergesIntoContainersAndInitContainersTemplateWins() {
        let global = GlobalParams(env: [["name": "FOO", "value": "global"], ["name": "QUE", "value": "pasa"]])
        let pod: JSONValue = ["initContainers": [Fixtures.container("init")],
                              "containers": [Fixtures.container("main", env: [["name": "FOO", "value": "mine"]])]]
        let job = render(pod, global: global).job
        #expect(job[path: "spec.template.spec.containers"]?[0]?["env"] == [["name": "FOO", "value": "mine"], ["name": "QUE", "value": "pasa"]])
        #expect(job[path: "spec.template.spec.initContainers"]?[0]?["env"] == [["name": "FOO", "value": "global"], ["name": "QUE", "value": "pasa"]])
    }

    @Test func labelsAndAnnotationsTemplateWinsIdentityAlwaysWins() {
        let global = GlobalParams(labels: ["key1": "g", "key2": "g", "api.practice.com/flow": "spoof"], annotations: ["a1": "g", "a2": "g"])
        let job = render(["containers": [Fixtures.container()]], global: global,
                         podMeta: ["labels": ["key1": "pod"], "annotations": ["a1": "pod"]]).job
        #expect(job[path: "metadata.labels"]?["key1"] == "g")
        #expect(job[path: "metadata.labels"]?["api.practice.com/flow"] == "job1")
        #expect(job[path: "metadata.annotations"]?["a2"] == "g")
        #expect(job[path: "spec.template.metadata.labels"]?["key1"] == "pod")
        #expect(job[path: "spec.template.metadata.labels"]?["key2"] == "g")
        #expect(job[path: "spec.template.metadata.labels"]?["api.practice.com/flow"] == "job1")
        #expect(job[path: "spec.template.metadata.annotations"]?["a1"] == "pod")
        #expect(job[path: "spec.template.metadata.annotations"]?["a2"] == "g")
    }

    @Test func nodeNamePinsPodsUnlessTemplateSetsOne() {
        let global = GlobalParams(nodeName: "minikube")
        #expect(render(["containers": [Fixtures.container()]], global: global).job[path: "spec.template.spec.nodeName"] == "minikube")
        #expect(render(["nodeName": "other", "containers": [Fixtures.container()]], global: global).job[path: "spec.template.spec.nodeName"] == "other")
    }

    @Test func shareVolumesOnlyWhenMountedAndMountsInEveryContainer() {
        let volumes: [JSONValue] = [["name": "data", "emptyDir": .emptyObject], ["name": "unused", "emptyDir": .emptyObject]]
        let mounts: [JSONValue] = [["name": "data", "mountPath": "/data"]]
        let pod: JSONValue = ["initContainers": [Fixtures.container("init")], "containers": [Fixtures.container("a"), Fixtures.container("b")],
                              "volumes": [["name": "own", "emptyDir": .emptyObject]]]
        let job = render(pod, volumes: volumes, mounts: mounts).job
        #expect(job[path: "spec.template.spec.volumes"] == [["name": "own", "emptyDir": .emptyObject], ["name": "data", "emptyDir": .emptyObject]])
        for c in job[path: "spec.template.spec.containers"]!.arrayValue! + job[path: "spec.template.spec.initContainers"]!.arrayValue! {
            #expect(c["volumeMounts"] == [["name": "data", "mountPath": "/data"]])
        }
        let noMounts = render(pod, volumes: volumes).job
        #expect(noMounts[path: "spec.template.spec.volumes"] == [["name": "own", "emptyDir": .emptyObject]])
    }

    @Test func existingMountAtSamePathIsKept() {
        let pod: JSONValue = ["containers": [["name": "a", "volumeMounts": [["name": "mine", "mountPath": "/data"]]]]]
        let job = render(pod, volumes: [["name": "data", "emptyDir": .emptyObject]], mounts: [["name": "data", "mountPath": "/data"]]).job
        #expect(job[path: "spec.template.spec.containers"]?[0]?["volumeMounts"] == [["name": "mine", "mountPath": "/data"]])
    }

    @Test func daemonJobPinsByNodeAffinityOrNodeName() {
        let spec = DaemonJobSpec(globalParams: GlobalParams(labels: ["k": "v"]),
                                 jobSpec: ["template": ["spec": ["containers": [Fixtures.container()],
                                                                 "affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [["matchExpressions": [["key": "x", "operator": "Exists"]]]]]]]]]])
        let dj = Owner(kind: "DaemonJob", name: "dj", namespace: "ns", uid: "u2")
        let byAffinity = JobRenderer.render(node: "node-a", of: spec, owner: dj, attempt: 2).job
        #expect(byAffinity[path: "metadata.name"] == "dj-node-a")
        #expect(byAffinity[path: "metadata.labels"]?["api.practice.com/daemonjob"] == "dj")
        #expect(byAffinity[path: "metadata.labels"]?["api.practice.com/node"] == "node-a")
        #expect(byAffinity[path: "metadata.annotations"]?["api.practice.com/attempt"] == "2")
        #expect(byAffinity[path: "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"]
                == [["matchFields": [["key": "metadata.name", "operator": "In", "values": ["node-a"]]]]])
        #expect(byAffinity[path: "spec.template.spec.nodeName"] == nil)
        let byName = JobRenderer.render(node: "node-a", of: spec, owner: dj, attempt: 1, pinning: .nodeName).job
        #expect(byName[path: "spec.template.spec.nodeName"] == "node-a")
    }
}
