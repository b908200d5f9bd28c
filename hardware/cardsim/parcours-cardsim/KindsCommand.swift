import ArgumentParser
import CardSimulator

struct KindsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kinds", abstract: "List the card kinds.")

    func run() {
        let width = SimulatedCardKind.allCases.map(\.rawValue.count).max() ?? 0
        for kind in SimulatedCardKind.allCases {
            let padding = String(repeating: " ", count: width - kind.rawValue.count)
            print("\(kind.rawValue)\(padding)  \(kind.summary)")
        }
    }
}
