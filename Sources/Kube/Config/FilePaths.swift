#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX file helpers whose errors carry `strerror` text ("No such file or directory").
enum FilePaths {
    /// `path` made absolute against `directory` and normalised (`.` and `..` removed, no symlinks followed).
    static func resolve(_ path: String, against directory: String) -> String {
        normalize(path.hasPrefix("/") ? path : directory + "/" + path)
    }

    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The directory part of an absolute path.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    /// The current directory, for making command-line paths absolute.
    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The whole file, or the reason it could not be read.
    static func read(_ path: String) -> Result<[UInt8], FileError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return .failure(FileError(errno: errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glue.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(FileError(errno: errno))
            }
            if n == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[..<n])
        }
    }

    /// Whether a regular file exists at `path` (following symlinks).
    static func isFile(_ path: String) -> Bool {
        guard case .success(let info) = status(path) else { return false }
        return !info.isDirectory
    }

    /// Whether `path` is a regular file this process may execute.
    static func isExecutable(_ path: String) -> Bool {
        isFile(path) && access(path, X_OK) == 0
    }

    /// What changes when a file is rewritten: modification time and size.
    struct Status: Sendable, Hashable {
        var modificationSeconds: Int
        var modificationNanoseconds: Int
        var size: Int
        var isDirectory: Bool
    }

    static func status(_ path: String) -> Result<Status, FileError> {
        var info = stat()
        if stat(path, &info) != 0 { return .failure(FileError(errno: errno)) }
        #if canImport(Darwin)
        let mtime = info.st_mtimespec
        #else
        let mtime = info.st_mtim
        #endif
        return .success(Status(modificationSeconds: Int(mtime.tv_sec), modificationNanoseconds: Int(mtime.tv_nsec),
                               size: Int(info.st_size), isDirectory: (info.st_mode & S_IFMT) == S_IFDIR))
    }
}

/// An errno with its text.
struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
    var code: Int32
    init(errno code: Int32) { self.code = code }
    var description: String { String(cString: strerror(code)) }
}

/// Names the libc functions that Swift methods of the same name would otherwise shadow.
enum Glue {
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.read(fd, buffer, count)
        #else
        return Darwin.read(fd, buffer, count)
        #endif
    }
}
