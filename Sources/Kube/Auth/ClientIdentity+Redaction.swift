/// A client identity prints as sizes only: the key must never reach a log or an error.
extension ClientIdentity: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        "ClientIdentity(certificate: <redacted \(certificatePEM.count) bytes>, key: <redacted>)"
    }
    public var debugDescription: String { description }
}
