import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one fake in these tests: an HTTP listener whose `Date` header is `skew` seconds off, standing in for a head
/// office on a machine with a wrong clock (a real node's clock cannot be set from a test). It answers /health with
/// 200 and anything else with 401, which is all the clock check reads.
final class SkewedClockServer: Sendable {
    let port: Int
    private let listener: Int32
    private let skew: TimeInterval
    private let running = Atomic<Bool>(true)

    init(skew: TimeInterval) throws {
        self.skew = skew
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        } && listen(fd, 16) == 0
        guard listening else {
            close(fd)
            throw FixtureError("the skewed-clock server could not listen")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in serve() }.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        running.store(false, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while running.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            var request = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.containsHeaderEnd {
                let count = read(client, &buffer, buffer.count)
                if count <= 0 { break }
                request += buffer[0..<count]
            }
            let isHealth = String(decoding: request.prefix(64), as: UTF8.self).hasPrefix("GET /health ")
            let body = isHealth ? #"{"status":"ok","database":"ok","stores":1}"# : #"{"error":"unsigned","reason":"not a head office"}"#
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = formatter.string(from: Date().addingTimeInterval(skew))
            let response = "HTTP/1.1 \(isHealth ? "200 OK" : "401 Unauthorized")\r\nDate: \(date)\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            _ = Array(response.utf8).withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            close(client)
        }
    }
}

private extension [UInt8] {
    var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        return (0...(count - 4)).contains { self[$0] == 13 && self[$0 + 1] == 10 && self[$0 + 2] == 13 && self[$0 + 3] == 10 }
    }
}
