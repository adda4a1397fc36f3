import JobFlowAPI
import Kube
import Testing
@testable import Orchestrator

/// The operator's caches keep flows, Jobs and pods packed with its own vocabulary.
@Suite struct OperatorCachesTests {
    @Test func theOperatorsWordsAllFitInItsVocabulary() throws {
        guard case .packed(let vocabulary) = OperatorCaches.packed else {
            Issue.record("the operator's caches are not packed")
            return
        }
        #expect(vocabulary.words.count <= 256)
        for word in [Owner.apiVersion, Keys.jobflowLabel, Keys.attemptAnnotation, "dependencies", "Terminating"] {
            #expect(vocabulary.contains(word), "\(word) fell off the end of the vocabulary")
        }
    }

    @Test func aProjectedJobPacksSmallAndReadsBackUnchanged() throws {
        let job = try JSONParser.parse(#"""
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"flow-105-h","namespace":"default",
         "uid":"4d8478f8-66e9-46bc-bca3-d4be3b1b396e","resourceVersion":"5235","creationTimestamp":"2026-12-02T17:19:34Z",
         "labels":{"api.practice.com/flow":"h","api.practice.com/jobflow":"flow-105","team":"x"},
         "annotations":{"api.practice.com/attempt":"1"},"managedFields":[{"manager":"m"}],
         "ownerReferences":[{"apiVersion":"api.practice.com/v1alpha1","kind":"JobFlow","name":"flow-105",
         "uid":"32de61a4-d60e-44c2-8aa6-4d6b047a81b9","controller":true,"blockOwnerDeletion":true}]},
         "spec":{"template":{"spec":{"containers":[{"name":"main","image":"busybox"}]}}},
         "status":{"startTime":"2026-12-02T17:19:34Z","completionTime":"2026-12-02T17:19:35Z","succeeded":1,"ready":0,
         "conditions":[{"type":"Complete","status":"True","reason":"CompletionsReached",
         "message":"Reached expected number of succeeded pods","lastTransitionTime":"2026-12-02T17:19:35Z"}]}}
        """#)
        let kept = OperatorCaches.jobTransform(job)
        let entry = StoreEntry(kept, encoding: OperatorCaches.packed)
        guard case .packed(let bytes, _) = entry else {
            Issue.record("not packed")
            return
        }
        #expect(entry.value == kept)
        let json = kept.serialized().count
        #expect(bytes.count * 3 < json, "\(bytes.count) packed bytes for \(json) of JSON")
    }

    @Test func podsKeepEachJobMatchingLabelOnce() {
        let labels: JSONValue = ["batch.kubernetes.io/job-name": "f-a", "job-name": "f-a", "api.practice.com/jobflow": "f",
                                 "batch.kubernetes.io/controller-uid": "u1", "controller-uid": "u1", "team": "x"]
        let owned: JSONValue = ["metadata": ["name": "f-a-x", "labels": labels,
                                             "ownerReferences": [["uid": "u1", "controller": true, "kind": "Job", "name": "f-a"]]]]
        #expect(OperatorCaches.podTransform(owned)[path: "metadata.labels"] ==
                ["batch.kubernetes.io/job-name": "f-a", "api.practice.com/jobflow": "f"])
        var orphan = owned
        orphan[path: "metadata.ownerReferences"] = nil
        #expect(OperatorCaches.podTransform(orphan)[path: "metadata.labels"] ==
                ["batch.kubernetes.io/job-name": "f-a", "batch.kubernetes.io/controller-uid": "u1", "api.practice.com/jobflow": "f"])
        let legacy: JSONValue = ["metadata": ["name": "p", "labels": ["job-name": "f-b", "controller-uid": "u2"]]]
        #expect(OperatorCaches.podTransform(legacy)[path: "metadata.labels"] == ["job-name": "f-b", "controller-uid": "u2"])
        let differing: JSONValue = ["metadata": ["name": "p", "labels": ["batch.kubernetes.io/job-name": "f-c", "job-name": "other"]]]
        #expect(OperatorCaches.podTransform(differing)[path: "metadata.labels"] ==
                ["batch.kubernetes.io/job-name": "f-c", "job-name": "other"])
    }
}
