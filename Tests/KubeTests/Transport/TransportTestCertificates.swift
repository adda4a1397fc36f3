import Foundation
@testable import Kube

/// A CA, server certificates and a client certificate made with the openssl CLI, once per run.
struct TestCertificates: Sendable {
    let directory: String
    var caPEM: [UInt8] { read("ca.pem") }
    var clientIdentity: ClientIdentity { ClientIdentity(certificatePEM: read("client.pem"), keyPEM: read("client.key")) }
    func path(_ name: String) -> String { directory + "/" + name }
    func read(_ name: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path(name)) ?? Data()) }

    static let shared: Result<TestCertificates, TestFailure> = Result { try make() }.mapError { TestFailure("\($0)") }

    private static func make() throws -> TestCertificates {
        let dir = NSTemporaryDirectory() + "jobflow-transport-certs-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func openssl(_ args: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["openssl"] + args
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            if p.terminationStatus != 0 { throw TestFailure("openssl \(args.first ?? "") failed") }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=jobflow test CA",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        func leaf(_ name: String, _ ext: String) throws {
            try ext.write(toFile: dir + "/\(name).ext", atomically: true, encoding: .utf8)
            try openssl(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"])
            try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                         "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext"])
        }
        try leaf("server", "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:api.test\nextendedKeyUsage=serverAuth\n")
        try leaf("apionly", "subjectAltName=DNS:api.test\nextendedKeyUsage=serverAuth\n")
        try leaf("client", "extendedKeyUsage=clientAuth\n")
        return TestCertificates(directory: dir)
    }
}
