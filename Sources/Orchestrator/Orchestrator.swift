/// The custom resources and the pure logic of their reconcilers.
enum OrchestratorModule {}
