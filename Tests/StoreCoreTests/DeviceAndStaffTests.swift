import Foundation
import StoreCore
import Testing

@Suite("Devices and staff")
struct DeviceAndStaffTests {
    @Test("a device's token is returned once and only its hash is stored")
    func deviceTokens() async throws {
        let store = try await TestStore()
        let kiosk = try await store.database.addDevice(kind: .kiosk, name: "Entrance kiosk", boundReader: "ACS ACR1252 00 00")
        #expect(kiosk.token.count >= 43)
        #expect(kiosk.device.tokenHash.count == 64)
        #expect(kiosk.device.tokenHash != kiosk.token)
        let listed = try await store.database.devices()
        #expect(listed == [kiosk.device])
        let fileBytes = try Data(contentsOf: URL(fileURLWithPath: store.path))
            + ((try? Data(contentsOf: URL(fileURLWithPath: store.path + "-wal"))) ?? Data())
        #expect(fileBytes.range(of: Data(kiosk.token.utf8)) == nil, "the token itself must not be in the file")

        #expect(try await store.database.authenticateDevice(token: kiosk.token).id == kiosk.device.id)
        let wrong = await #expect(throws: StoreError.self) { try await store.database.authenticateDevice(token: "guess") }
        #expect(wrong?.code == .unknownDevice)

        let renamed = try await store.database.updateDevice(id: kiosk.device.id, name: "Kiosk A", boundReader: .some(nil))
        #expect(renamed.name == "Kiosk A" && renamed.boundReader == nil)
        try await store.database.revokeDevice(id: kiosk.device.id)
        let revoked = await #expect(throws: StoreError.self) { try await store.database.authenticateDevice(token: kiosk.token) }
        #expect(revoked?.code == .deviceRevoked)
    }

    @Test("staff PINs verify, and lock out after repeated failures")
    func pinLockout() async throws {
        let store = try await TestStore { $0.maximumFailedPINAttempts = 3; $0.pinLockoutDuration = 15 * 60 }
        let member = try await store.database.addStaff(name: "Sam", role: .manager, pin: "4821", at: t0)
        #expect(!member.pinHash.contains("4821"))
        #expect(try await store.database.verifyStaffPIN(staffId: member.id, pin: "4821", at: t0) == .accepted(member))

        #expect(try await store.database.verifyStaffPIN(staffId: member.id, pin: "0001", at: t0) == .rejected(remainingAttempts: 2))
        #expect(try await store.database.verifyStaffPIN(staffId: member.id, pin: "0002", at: t0) == .rejected(remainingAttempts: 1))
        let locked = try await store.database.verifyStaffPIN(staffId: member.id, pin: "0003", at: t0)
        #expect(locked == .locked(until: t0 + 15 * 60))
        // While locked even the right PIN is not accepted.
        #expect(try await store.database.verifyStaffPIN(staffId: member.id, pin: "4821", at: t0 + 60) == .locked(until: t0 + 15 * 60))
        // After the lockout it is.
        guard case .accepted = try await store.database.verifyStaffPIN(staffId: member.id, pin: "4821", at: t0 + 16 * 60) else {
            Issue.record("the right PIN after the lockout must be accepted")
            return
        }
        let staff = try await store.database.staffMembers()
        #expect(staff.first?.failedAttempts == 0 && staff.first?.lockedUntil == nil)
    }

    @Test("staff can be renamed, given a new PIN and removed")
    func staffCRUD() async throws {
        let store = try await TestStore()
        let member = try await store.database.addStaff(name: "Sam", role: .staff, pin: "4821")
        let promoted = try await store.database.updateStaff(id: member.id, role: .manager)
        #expect(promoted.role == .manager)
        try await store.database.changeStaffPIN(id: member.id, newPIN: "7395")
        guard case .accepted = try await store.database.verifyStaffPIN(staffId: member.id, pin: "7395") else {
            Issue.record("the new PIN must work")
            return
        }
        let weak = await #expect(throws: StoreError.self) { try await store.database.changeStaffPIN(id: member.id, newPIN: "1111") }
        #expect(weak?.code == .weakPIN)
        try await store.database.removeStaff(id: member.id)
        #expect(try await store.database.staffMembers().isEmpty)
        let gone = await #expect(throws: StoreError.self) {
            try await store.database.verifyStaffPIN(staffId: member.id, pin: "7395")
        }
        #expect(gone?.code == .unknownStaff)
        let events = try await store.database.pendingOutboxEvents()
        #expect(events.map(\.type) == [.staffAdded, .staffRemoved])
        #expect(events.allSatisfy { !$0.payload.contains("pbkdf2") })
    }
}
