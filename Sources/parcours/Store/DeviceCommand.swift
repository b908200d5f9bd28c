import ArgumentParser
import Foundation
import StoreCore

/// `parcours device add|list|revoke`: the kiosks and tills allowed to talk to the store service.
struct DeviceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Enrol, list and revoke kiosks and tills.",
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrol a device and print its token (shown this once; only its hash is stored).")

        @OptionGroup var store: StoreOptions
        @Option(help: "kiosk or till.") var kind: DeviceKind
        @Option(help: "A name people recognise (\"Kiosk entrance\").") var name: String
        @Option(help: "The PC/SC reader name whose taps belong to this device.") var reader: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let added = try await store.open().addDevice(kind: kind, name: name, boundReader: reader)
            if json {
                struct Output: Encodable { var id: String; var kind: DeviceKind; var name: String; var boundReader: String?; var token: String }
                return try StoreJSON.print(Output(id: added.device.id, kind: added.device.kind, name: added.device.name,
                                                  boundReader: added.device.boundReader, token: added.token))
            }
            print("device \(added.device.id) (\(added.device.kind.rawValue), \(added.device.name))"
                  + (added.device.boundReader.map { ", reader \($0)" } ?? ""))
            print("token: \(added.token)")
            print("Enter this token on the device now: it is not stored and cannot be shown again.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enrolled devices (never their tokens).")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let devices = try await store.open().devices()
            if json {
                struct Output: Encodable { var id: String; var kind: DeviceKind; var name: String; var boundReader: String?; var createdAt: Date; var revokedAt: Date? }
                return try StoreJSON.print(devices.map {
                    Output(id: $0.id, kind: $0.kind, name: $0.name, boundReader: $0.boundReader, createdAt: $0.createdAt, revokedAt: $0.revokedAt)
                })
            }
            for device in devices {
                print("\(device.id)  \(device.kind.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0))  \(device.name)"
                      + (device.boundReader.map { "  reader: \($0)" } ?? "")
                      + (device.revokedAt.map { "  (revoked \($0.storeDisplay))" } ?? ""))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a device: its token stops working at once.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The device id (see `parcours device list`).") var id: String

        func run() async throws {
            try await store.open().revokeDevice(id: id)
            print("device \(id) revoked")
        }
    }
}

extension DeviceKind: ExpressibleByArgument {}
