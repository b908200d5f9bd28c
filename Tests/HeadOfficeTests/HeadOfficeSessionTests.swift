import HeadOffice
import Testing

@Suite("Head office's database sessions")
struct HeadOfficeSessionTests {
    @Test("every session of the pool runs with PostgreSQL's JIT off, whatever the server's default")
    func jitOff() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            #expect(try await hq.strings("SHOW jit") == ["off"])
            // Several sessions at once: each connection of the pool got the setting at its start.
            let settings = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 { group.addTask { try await hq.strings("SELECT current_setting('jit') FROM pg_sleep(0.05)") } }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(settings == ["off", "off", "off", "off"])
        }
    }
}
