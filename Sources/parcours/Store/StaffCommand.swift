import ArgumentParser
import Foundation
import StoreCore
#if canImport(Glibc)
import Glibc
#endif

/// `parcours staff add|list|remove`: the people who sign in at the tills.
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Add, list and remove till staff.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a staff member. The PIN (4–12 digits) is read from stdin, never from the command line.",
            discussion: "The store assigns the staff id (printed); staff sign in at a till with that id and the PIN.")

        @OptionGroup var store: StoreOptions
        @Option(help: "The staff member's name.") var name: String
        @Option(help: "staff or manager.") var role: StaffRole = .staff
        @Flag(help: "Read the PIN as one line from stdin without prompting (for scripts: `echo 2468 | …`).")
        var pinStdin = false

        func run() async throws {
            let pin = try readPIN(prompt: !pinStdin && isatty(STDIN_FILENO) == 1)
            let member = try await store.open().addStaff(name: name, role: role, pin: pin)
            print("staff \(member.id) (\(member.role.rawValue))")
        }

        private func readPIN(prompt: Bool) throws -> String {
            let line: String?
            if prompt, let entered = getpass("PIN: ") {
                line = String(cString: entered)
            } else {
                line = readLine(strippingNewline: true)
            }
            guard let pin = line?.trimmingCharacters(in: .whitespaces), !pin.isEmpty else {
                throw ValidationError("no PIN on stdin")
            }
            return pin
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List staff (never PINs).")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            for member in try await store.open().staffMembers() {
                print("\(member.id)  \(member.role.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(member.name)"
                      + (member.lockedUntil.map { $0 > Date() ? "  (locked until \($0.storeDisplay))" : "" } ?? ""))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a staff member.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The staff id (see `parcours staff list`).") var id: String

        func run() async throws {
            try await store.open().removeStaff(id: id)
            print("staff \(id) removed")
        }
    }
}

extension StaffRole: ExpressibleByArgument {}
