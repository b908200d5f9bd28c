import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ReaderService
import StoreCore
import Synchronization
@testable import StoreService

/// A fresh directory under the system temp dir, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-service-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A clock tests move by hand, so that session and tap expiry are tested without waiting.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_767_225_600))
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

let kioskReader = "Kiosk Reader 00 00"
let tillReader = "Till Reader 01 00"
let staffPIN = "2468"
let managerPIN = "1357"

/// A store on a real SQLite file with one kiosk, one till, one revoked kiosk, a staff member and a manager.
struct TestService {
    let directory: TemporaryDirectory
    let database: StoreDatabase
    let clock: TestClock
    let api: StoreAPI
    let kiosk: NewDevice
    let till: NewDevice
    let revoked: NewDevice
    /// nil when the test needs no staff: each PIN hash costs a PBKDF2 run, which adds up over parameterized tests.
    private let staffMembers: (staff: StaffMember, manager: StaffMember)?
    var staff: StaffMember { staffMembers!.staff }
    var manager: StaffMember { staffMembers!.manager }

    init(maximumFailedPINAttempts: Int = 5, settings: StoreServiceSettings = StoreServiceSettings(maximumBodyBytes: 4096),
         withStaff: Bool = true, status: ServiceStatus = ServiceStatus()) async throws {
        directory = try TemporaryDirectory()
        database = try await StoreDatabase.open(
            path: directory.path("store.sqlite"),
            options: .init(storeId: "store-1", maximumFailedPINAttempts: maximumFailedPINAttempts))
        let clock = TestClock()
        self.clock = clock
        api = StoreAPI(database: database, settings: settings,
                       sessions: StaffSessions(lifetime: settings.staffSessionLifetime, now: { clock.now }),
                       board: TapBoard(idleTimeout: settings.tapIdleTimeout, now: { clock.now }),
                       status: status, deviceTokens: DeviceTokenCache(now: { clock.now }))
        kiosk = try await database.addDevice(kind: .kiosk, name: "Kiosk", boundReader: kioskReader)
        till = try await database.addDevice(kind: .till, name: "Till", boundReader: tillReader)
        revoked = try await database.addDevice(kind: .kiosk, name: "Old kiosk")
        try await database.revokeDevice(id: revoked.device.id)
        staffMembers = withStaff
            ? (try await database.addStaff(name: "Sam", role: .staff, pin: staffPIN),
               try await database.addStaff(name: "Mia", role: .manager, pin: managerPIN))
            : nil
    }

    var application: some ApplicationProtocol { get throws { try buildStoreApplication(api: api, logger: Logger(label: "test")) } }

    var pipeline: TapPipeline { TapPipeline(recorder: TapRecorder(database: database), board: api.board, metrics: api.metrics) }

    /// Plays a tap of a plain NFC card with `uid` on `reader`, as the serve loop would.
    @discardableResult
    func tap(uid: String, reader: String) async throws -> TapRecorder.Recording {
        await pipeline.handle(try makeTap(uid: uid, reader: reader, at: clock.now))
    }
}

/// TapResult has no public memberwise init: build it the way it travels, as JSON.
func makeTap(uid: String, reader: String, at: Date) throws -> TapResult {
    let json: [String: Any] = [
        "reader": reader, "at": at.timeIntervalSinceReferenceDate, "technology": "NFC Forum Type 2",
        "atr": "3B8F8001804F0CA0000003060300030000000068", "identifiers": ["cardUID": uid],
        "apduCount": 2, "milliseconds": 42.0,
    ]
    return try JSONDecoder().decode(TapResult.self, from: JSONSerialization.data(withJSONObject: json))
}

// MARK: - Requests

/// Who is asking: the rows of the role matrix.
struct Caller: Sendable, CustomStringConvertible {
    var name: String
    var deviceToken: String?
    var staffToken: String?

    var description: String { name }

    var headers: HTTPFields {
        var fields = HTTPFields()
        if let deviceToken { fields[.authorization] = "Bearer \(deviceToken)" }
        if let staffToken { fields[HTTPField.Name("X-Staff-Session")!] = staffToken }
        return fields
    }
}

extension TestClientProtocol {
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, as caller: Caller, json: String? = nil,
              contentType: String = "application/json") async throws -> TestResponse {
        var headers = caller.headers
        if json != nil { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Signs a staff member in at the till and returns the session token.
    func signIn(till: Caller, staffId: String, pin: String) async throws -> String {
        let response = try await send(.post, "/v1/staff/sessions", as: till, json: #"{"staffId":"\#(staffId)","pin":"\#(pin)"}"#)
        guard response.status == .created, let token = try response.json()["token"] as? String else {
            throw TestFailure("sign-in failed with \(response.status): \(String(buffer: response.body))")
        }
        return token
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension TestResponse {
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(String(buffer: body))")
        }
        return object
    }

    var text: String { String(buffer: body) }
}
