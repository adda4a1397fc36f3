import Kube

/// The project's custom resources (api.practice.com/v1alpha1), as `Resource` descriptors.
public enum CustomResources {
    public static let group = "api.practice.com"
    public static let version = "v1alpha1"
    public static let jobFlows = Resource(group: group, version: version, plural: "jobflows", kind: "JobFlow", namespaced: true)
    public static let daemonJobs = Resource(group: group, version: version, plural: "daemonjobs", kind: "DaemonJob", namespaced: true)
    public static let jobTemplates = Resource(group: group, version: version, plural: "jobtemplates", kind: "JobTemplate", namespaced: true)
}
