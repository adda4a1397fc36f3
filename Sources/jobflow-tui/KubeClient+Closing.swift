import Kube

extension KubeClient {
    /// Runs `body`, then closes the client whether `body` threw or not, so the command returns
    /// (and the process exits) only once the transport's thread has left libcurl.
    func closing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }
}
