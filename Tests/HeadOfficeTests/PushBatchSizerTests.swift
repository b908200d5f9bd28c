import Foundation
import Glibc
import HeadOffice
import StoreCore
import StoreSync
import SyncProtocol
import Testing

@Suite("The store's push batch follows the link")
struct PushBatchSizerTests {
    @Test("it starts at 500, doubles after quick full pushes up to the configured most, and a short push leaves it")
    func grows() {
        var sizer = PushBatchSizer(largest: 5000, requestTimeout: .seconds(30))
        #expect(sizer.current == 500 && sizer.slowPush == .seconds(5))
        var sizes: [Int] = []
        for _ in 0..<5 {
            sizer.pushed(sizer.current, in: .milliseconds(200))
            sizes.append(sizer.current)
        }
        #expect(sizes == [1000, 2000, 4000, 5000, 5000])
        sizer.pushed(12, in: .milliseconds(10))
        #expect(sizer.current == 5000)

        var short = PushBatchSizer(largest: 5000, requestTimeout: .seconds(30))
        short.pushed(499, in: .milliseconds(10))
        #expect(short.current == 500, "a push that emptied the outbox says nothing about the link")
        // Between a quarter of the slow mark and the mark: neither grows nor shrinks.
        short.pushed(500, in: .seconds(2))
        #expect(short.current == 500)
    }

    @Test("a slow push or a slow failure halves it, down to 50; a quick failure leaves it; a 413 halves it")
    func shrinks() {
        var sizer = PushBatchSizer(largest: 5000, requestTimeout: .seconds(30))
        sizer.pushed(500, in: .seconds(6))
        #expect(sizer.current == 250)
        sizer.failed(after: .milliseconds(3))
        #expect(sizer.current == 250, "a refused connection says nothing about the size")
        sizer.failed(after: .milliseconds(3), tooLarge: true)
        #expect(sizer.current == 125)
        for _ in 0..<5 { sizer.failed(after: .seconds(30)) }
        #expect(sizer.current == 50)
    }

    @Test("a configured most below 500 is where it starts and stays")
    func smallLink() {
        var sizer = PushBatchSizer(largest: 7, requestTimeout: .seconds(30))
        #expect(sizer.current == 7 && sizer.smallest == 7)
        sizer.pushed(7, in: .milliseconds(1))
        #expect(sizer.current == 7)
        sizer.failed(after: .seconds(40))
        #expect(sizer.current == 7)
    }

    @Test("a real catch-up grows the batch as its pushes go through; a push that times out halves it")
    func engine() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                // An hour's timeout: every push of the test is far under a quarter of its slow mark (10 min).
                let store = try await TestStore.make("nantes", headOffice: hq, url: url, batchSize: PushBatch.maximumEvents,
                                                     requestTimeout: .seconds(3600))
                for card in 0..<800 {
                    _ = try await store.tap(TapIdentifiers(cardUID: String(format: "04%012X", card)))
                }
                let pending = try await store.database.pendingOutboxCount()
                try #require((1500..<3500).contains(pending), "the pushes are 500, 1000, then the rest (\(pending) events)")
                try await store.engine.pushAll()
                #expect(try await store.database.pendingOutboxCount() == 0)
                #expect(await store.engine.batchSizer.current == 2000, "two full quick pushes, then a short one")
                #expect(try await hq.count("SELECT count(*)::bigint FROM store_event WHERE store_id = 'nantes'") == pending)
            }

            // A head office that takes the request and never answers: the push times out.
            let silent = try SilentListener()
            defer { silent.close() }
            let store = try await TestStore.make("brest", headOffice: hq, url: URL(string: "http://127.0.0.1:\(silent.port)")!,
                                                 batchSize: PushBatch.maximumEvents, requestTimeout: .milliseconds(600))
            _ = try await store.tap(TapIdentifiers(cardUID: "04AABBCCDDEEFF"))
            await #expect(throws: HeadOfficeClient.Failure.self) { try await store.engine.pushAll() }
            #expect(await store.engine.batchSizer.current == 250)
            #expect(try await store.database.pendingOutboxCount() > 0, "nothing is forgotten")
        }
    }
}

/// A TCP port that completes connections in the kernel's backlog and never reads or answers.
final class SilentListener: Sendable {
    let socket: Int32
    let port: Int

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socket, 16) == 0 else {
            _ = Glibc.close(socket)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        self.socket = socket
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(socket) }
}
