import JobFlowAPI
import Kube

/// Realistic objects for the benchmarks: a Job as a real API server returns it (managedFields,
/// a pod template with env, labels, status conditions), about 4 KB of JSON.
enum Fixtures {
    static func job(index: Int, namespace: String = "bench", resourceVersion: Int = 1) -> JSONValue {
        let name = "flow-\(index / 10)-job-\(index % 10)"
        let uid = "3f1c2a4e-\(String(format4(index)))-4c1b-9a55-0d2f6b7e\(String(format4(index)))"
        let env: [JSONValue] = (0..<22).map { ["name": .string("VAR_\($0)"), "value": .string("value-\($0)-\(index)")] }
        let container: JSONValue = [
            "name": "main", "image": "busybox:1.36", "imagePullPolicy": "IfNotPresent",
            "command": ["sh", "-c", "echo starting && sleep 10s && echo done"],
            "env": .array(env),
            "resources": ["requests": ["cpu": "100m", "memory": "64Mi"], "limits": ["cpu": "500m", "memory": "256Mi"]],
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
            "volumeMounts": [["name": "shared", "mountPath": "/data"]],
        ]
        let labels: JSONValue = [
            Keys.jobflowLabel: .string("flow-\(index / 10)"), Keys.flowLabel: .string("job-\(index % 10)"),
            "batch.kubernetes.io/controller-uid": .string(uid), "batch.kubernetes.io/job-name": .string(name),
            "controller-uid": .string(uid), "job-name": .string(name), "team": "data",
        ]
        return [
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace), "uid": .string(uid),
                "resourceVersion": .string(String(resourceVersion)), "generation": 1,
                "creationTimestamp": "2026-11-25T03:00:00Z", "labels": labels,
                "annotations": [Keys.attemptAnnotation: "1", "batch.kubernetes.io/job-tracking": ""],
                "ownerReferences": [[
                    "apiVersion": .string(APIGroup.apiVersion), "kind": .string(CustomKind.jobFlow.rawValue), "name": .string("flow-\(index / 10)"),
                    "uid": "0c9e7d1a-5b2f-4e3a-8d6c-1f0a9b8c7d6e", "controller": true, "blockOwnerDeletion": true,
                ]],
                "managedFields": [[
                    "manager": "jobflow-tui", "operation": "Update", "apiVersion": "batch/v1", "time": "2026-11-25T03:00:00Z",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": ["f:metadata": ["f:labels": [".": [:], "f:" + Keys.flowLabel: [:], "f:" + Keys.jobflowLabel: [:]],
                                                 "f:ownerReferences": [".": [:], "k:{\"uid\":\"0c9e7d1a\"}": [:]]],
                                 "f:spec": ["f:backoffLimit": [:], "f:template": ["f:spec": ["f:containers": ["k:{\"name\":\"main\"}": [".": [:], "f:command": [:], "f:env": [:], "f:image": [:]]]]]]],
                ]],
            ],
            "spec": [
                "parallelism": 1, "completions": 1, "backoffLimit": 0, "completionMode": "NonIndexed", "suspend": false,
                "selector": ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]],
                "template": [
                    "metadata": ["labels": labels, "annotations": ["key1": "value1", "key2": "value2"]],
                    "spec": [
                        "restartPolicy": "Never", "nodeName": "node-1", "containers": [container],
                        "volumes": [["name": "shared", "persistentVolumeClaim": ["claimName": "flow-shared"]]],
                        "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler", "terminationGracePeriodSeconds": 30,
                        "securityContext": [:],
                    ],
                ],
            ],
            "status": [
                "startTime": "2026-11-25T03:00:01Z", "completionTime": "2026-11-25T03:00:12Z", "succeeded": 1, "ready": 0,
                "uncountedTerminatedPods": [:],
                "conditions": [
                    ["type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods",
                     "lastProbeTime": "2026-11-25T03:00:12Z", "lastTransitionTime": "2026-11-25T03:00:12Z"],
                    ["type": .string(KubernetesWords.jobComplete), "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods",
                     "lastProbeTime": "2026-11-25T03:00:12Z", "lastTransitionTime": "2026-11-25T03:00:12Z"],
                ],
            ],
        ]
    }

    static func format4(_ i: Int) -> String {
        let s = String(i % 10000)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}
