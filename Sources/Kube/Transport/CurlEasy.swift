import CCurl

/// A libcurl easy handle and its error buffer, reused across requests (`curl_easy_reset`).
///
/// Not Sendable: it lives in `CurlEventLoop`'s pool and in `CurlTransfer`, and is only ever used
/// on the curl thread.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// The options a plain GET left on this handle, kept for the next identical one (`nil`: reset,
    /// curl's defaults). Set by `CurlTransfer.configure`, cleared by `reset()`.
    var plainGET: PlainGET?

    /// What distinguishes one plain GET's sticky options from another's; everything else comes
    /// from the transport's options, the same for every request.
    struct PlainGET: Equatable {
        var https: Bool
        var proxy: String?
        var timeoutMS: Int?
    }

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: jf_error_size())
        errorBuffer.initialize(repeating: 0, count: jf_error_size())
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Back to defaults for the next request; connections stay in the multi handle's cache.
    func reset() {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        plainGET = nil
    }

    /// Between two plain GETs: keeps every option but those pointing at the finished transfer
    /// (its header list is freed, its object released), so nothing dangles while the handle idles.
    func parkPlainGET() {
        _ = jf_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
        _ = jf_easy_setopt_ptr(handle, CURLOPT_WRITEDATA, nil)
        _ = jf_easy_setopt_ptr(handle, CURLOPT_HEADERDATA, nil)
        errorBuffer[0] = 0
    }

    /// What curl wrote to the error buffer for the last failure.
    var errorDetail: String { String(cString: errorBuffer) }

    /// The response's Content-Length, when known.
    var contentLength: Int? {
        var length: curl_off_t = -1
        guard jf_easy_getinfo_off(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK, length >= 0
        else { return nil }
        return Int(length)
    }
}

extension CurlTransfer {
    /// Sets every option for this request on `easy` (curl thread). Strings and blobs are copied
    /// by libcurl; the header lists stay owned by the transfer until it leaves the multi handle.
    /// Returns whether the handle's options were kept from an identical plain GET (only the URL,
    /// the header list and the callbacks' target were set).
    @discardableResult
    func configure(_ easy: CurlEasy, options: TransportOptions) throws(TransportError) -> Bool {
        self.easy = easy
        let h = easy.handle
        var failed: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if failed == CURLE_OK, code != CURLE_OK { failed = code } }
        func throwIfAnyFailed() throws(TransportError) {
            guard failed != CURLE_OK else { return }
            throw TransportError(kind: .invalidRequest, message: "cannot configure request: \(String(cString: curl_easy_strerror(failed)))", url: request.url)
        }

        let userdata = Unmanaged.passUnretained(self).toOpaque()
        let plain = plainGETSignature(options: options)
        if let plain, easy.plainGET == plain {
            // The same sticky options as the last request on this handle: a GET without a body,
            // the same proxy and timeout (curl resets per-transfer state at each perform itself).
            isHead = false
            check(jf_easy_setopt_ptr(h, CURLOPT_WRITEDATA, userdata))
            check(jf_easy_setopt_ptr(h, CURLOPT_HEADERDATA, userdata))
            check(jf_easy_setopt_str(h, CURLOPT_URL, request.url))
            headerList = try headerList(hasBody: false, hostHeader: nil)
            check(jf_easy_setopt_slist(h, CURLOPT_HTTPHEADER, headerList))
            try throwIfAnyFailed()
            return true
        }
        if easy.plainGET != nil { easy.reset() }
        check(jf_easy_setopt_ptr(h, CURLOPT_ERRORBUFFER, easy.errorBuffer))
        check(jf_easy_setopt_long(h, CURLOPT_NOSIGNAL, 1))
        check(jf_easy_setopt_data_cb(h, CURLOPT_WRITEFUNCTION) { ptr, size, count, userdata in
            guard let ptr, let userdata else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
            return transfer.receivedBody(UnsafeRawBufferPointer(start: ptr, count: size * count))
        })
        check(jf_easy_setopt_ptr(h, CURLOPT_WRITEDATA, userdata))
        check(jf_easy_setopt_data_cb(h, CURLOPT_HEADERFUNCTION) { ptr, size, count, userdata in
            guard let ptr, let userdata else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
            transfer.receivedHeaderLine(UnsafeRawBufferPointer(start: ptr, count: size * count))
            return size * count
        })
        check(jf_easy_setopt_ptr(h, CURLOPT_HEADERDATA, userdata))

        // tls-server-name: curl 7.88 cannot override SNI, so the URL names the server name (SNI
        // and certificate check use it), CONNECT_TO sends the connection to the real address, and
        // an explicit Host header keeps what the server sees unchanged.
        var effectiveURL = request.url
        var hostHeader: String?
        if url.scheme == "https", let serverName = options.tlsServerName, !serverName.isEmpty,
           serverName.lowercased() != url.host.lowercased() {
            effectiveURL = url.replacingHost(with: serverName)
            hostHeader = url.hostHeaderValue
            let port = url.effectivePort
            let target = "\(RequestURL.bracketed(serverName)):\(port):\(RequestURL.bracketed(url.host)):\(port)"
            connectToList = curl_slist_append(nil, target)
            check(jf_easy_setopt_slist(h, CURLOPT_CONNECT_TO, connectToList))
        }
        check(jf_easy_setopt_str(h, CURLOPT_URL, effectiveURL))

        // Method and body. POSTFIELDS makes curl send the body with a Content-Length; the custom
        // request string then sets the verb (PUT, PATCH, DELETE with a body...).
        // ASCII letters only (no Unicode classification per request), upper-cased.
        let method = request.method == "GET" ? "GET" : request.method.uppercased()
        guard !method.isEmpty, method.utf8.allSatisfy({ ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") }) else {
            throw TransportError(kind: .invalidRequest, message: "invalid method", url: request.url)
        }
        let hasBody = request.body != nil || method == "POST" || method == "PUT" || method == "PATCH"
        isHead = method == "HEAD"
        if method == "HEAD" {
            check(jf_easy_setopt_long(h, CURLOPT_NOBODY, 1))
        } else if hasBody {
            let bytes = request.body ?? []
            check(jf_easy_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)))
            check(bytes.withUnsafeBufferPointer { buffer in
                // COPYPOSTFIELDS copies POSTFIELDSIZE bytes; an empty body still needs a valid pointer.
                var empty: CChar = 0
                return buffer.baseAddress.map { jf_easy_setopt_ptr(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0)) }
                    ?? jf_easy_setopt_ptr(h, CURLOPT_COPYPOSTFIELDS, &empty)
            })
            if method != "POST" { check(jf_easy_setopt_str(h, CURLOPT_CUSTOMREQUEST, method)) }
        } else if method != "GET" {
            check(jf_easy_setopt_str(h, CURLOPT_CUSTOMREQUEST, method))
        }

        headerList = try headerList(hasBody: hasBody, hostHeader: hostHeader)
        check(jf_easy_setopt_slist(h, CURLOPT_HTTPHEADER, headerList))
        check(jf_easy_setopt_str(h, CURLOPT_USERAGENT, options.userAgent))
        check(jf_easy_setopt_str(h, CURLOPT_ACCEPT_ENCODING, ""))

        // Timeouts. 0 means "none" to curl, so a tiny positive limit must stay positive.
        check(jf_easy_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(options.connectTimeout)))
        if let timeout = request.timeout {
            check(jf_easy_setopt_long(h, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout)))
        }
        check(jf_easy_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1))

        // Proxy: decided in Swift; the empty string disables curl's own environment lookup.
        check(jf_easy_setopt_str(h, CURLOPT_PROXY, proxy ?? ""))
        if proxy != nil { check(jf_easy_setopt_long(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)) }

        if url.scheme == "https" {
            // Streams too: libcurl 7.88 keeps reading a paused HTTP/2 stream up to its 32 MiB
            // window, so forcing HTTP/1.1 for streams would bound memory better, but with both
            // an HTTP/1.1 and an HTTP/2 connection to one host 7.88 sent a request on the busy
            // HTTP/1.1 connection ("Multiplexed connection found" → "Received HTTP/0.9"). One
            // protocol per host is the safer trade; see docs/transport.md.
            check(jf_easy_setopt_long(h, CURLOPT_HTTP_VERSION, jf_http_version_2tls()))
            // Wait for a possibly multiplexing connection instead of opening parallel ones.
            check(jf_easy_setopt_long(h, CURLOPT_PIPEWAIT, 1))
            if options.insecureSkipTLSVerify {
                check(jf_easy_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 0))
                check(jf_easy_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 0))
            } else if let ca = options.caPEM {
                check(ca.withUnsafeBytes { jf_easy_setopt_blob(h, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) })
            }
            if let identity = request.clientIdentity ?? options.clientIdentity {
                check(jf_easy_setopt_str(h, CURLOPT_SSLCERTTYPE, "PEM"))
                check(jf_easy_setopt_str(h, CURLOPT_SSLKEYTYPE, "PEM"))
                check(identity.certificatePEM.withUnsafeBytes { jf_easy_setopt_blob(h, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count) })
                check(identity.keyPEM.withUnsafeBytes { jf_easy_setopt_blob(h, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count) })
            }
        } else {
            check(jf_easy_setopt_long(h, CURLOPT_HTTP_VERSION, jf_http_version_1_1()))
        }

        try throwIfAnyFailed()
        easy.plainGET = plain
        return false
    }

    /// The sticky-option signature of this request when it is a plain GET: collected (not
    /// streamed), no body, no per-request client certificate, no tls-server-name redirection.
    /// `nil` otherwise.
    func plainGETSignature(options: TransportOptions) -> CurlEasy.PlainGET? {
        guard options.reusePlainGETHandles, request.method == "GET", request.body == nil, request.clientIdentity == nil,
              !isStreaming else { return nil }
        let https = url.scheme == "https"
        if https, let serverName = options.tlsServerName, !serverName.isEmpty, serverName.lowercased() != url.host.lowercased() {
            return nil
        }
        return CurlEasy.PlainGET(https: https, proxy: proxy, timeoutMS: request.timeout.map(Self.milliseconds))
    }

    /// The request's headers as a curl list, validated so nothing can smuggle a CR/LF into the
    /// request, plus "Expect:" (no 100-continue), an empty Content-Type for bodies curl would
    /// label form data, and the Host header of a tls-server-name redirection.
    private func headerList(hasBody: Bool, hostHeader: String?) throws(TransportError) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        var sawExpect = false, sawContentType = false, sawHost = false
        for header in request.headers {
            guard !header.name.isEmpty,
                  !header.name.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x3A || $0 == 0x20 || $0 == 0 }),
                  !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                curl_slist_free_all(list)
                throw TransportError(kind: .invalidRequest, message: "invalid header \(header.name.debugDescription)", url: request.url)
            }
            sawExpect = sawExpect || Self.isName(header.name, "expect")
            sawContentType = sawContentType || Self.isName(header.name, "content-type")
            sawHost = sawHost || Self.isName(header.name, "host")
            // "Name;" is curl's spelling of a header with an empty value ("Name:" would remove it).
            list = curl_slist_append(list, header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        if !sawExpect { list = curl_slist_append(list, "Expect:") }
        if hasBody, !sawContentType { list = curl_slist_append(list, "Content-Type:") }
        if let hostHeader, !sawHost { list = curl_slist_append(list, "Host: \(hostHeader)") }
        return list
    }

    /// Whether a header name equals the lowercase ASCII `lower`, ignoring ASCII case, without
    /// allocating (`lowercased()` per header showed in profiles).
    static func isName(_ name: String, _ lower: StaticString) -> Bool {
        guard name.utf8.count == lower.utf8CodeUnitCount else { return false }
        var p = lower.utf8Start
        for b in name.utf8 {
            let folded = b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b + 32 : b
            if folded != p.pointee { return false }
            p += 1
        }
        return true
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        if ms.overflow || seconds < 0 { return seconds < 0 ? 1 : Int.max / 2 }
        return max(1, Int(ms.partialValue) + Int(attoseconds / 1_000_000_000_000_000))
    }
}
