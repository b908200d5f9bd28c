import ArgumentParser
import CardSimulator

struct TapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tap",
        abstract: "Tap a card on a virtual reader: insert it, answer the reader, remove it.",
        discussion: """
            Without a removal option the card stays --dwell seconds. With --until-idle, \
            --remove-after-apdus or --remove-during-apdu, --dwell is the longest it may stay \
            (default 10 s). pcscd notices a card 0–400 ms after it arrives: keep --dwell at 0.5 s or more.
            """
    )

    @OptionGroup var card: CardOptions
    @OptionGroup var readerOptions: ReaderOptions

    @Option(help: "Seconds in the field (or the maximum, with a removal option). Default 1, or 10 with a removal option.")
    var dwell: Double?

    @Option(name: .customLong("until-idle"), help: "Leave once an APDU came and none has for this many milliseconds (the customer lifts the card after the beep).")
    var untilIdle: Int?

    @Option(name: .customLong("remove-after-apdus"), help: "Leave right after answering this many APDUs.")
    var removeAfterAPDUs: Int?

    @Option(name: .customLong("remove-during-apdu"), help: "Leave when APDU number N arrives, without answering it (a card pulled out mid-read).")
    var removeDuringAPDU: Int?

    @Option(name: .customLong("repeat"), help: "Tap this many times (the same card: its memory and counters carry over).")
    var repetitions = 1

    @Option(help: "Seconds between two taps with --repeat.")
    var gap = 1.0

    @Flag(help: "Print each vpcd control message and APDU exchange in hex.")
    var verbose = false

    func validate() throws {
        let removalOptions = [untilIdle, removeAfterAPDUs, removeDuringAPDU].compactMap(\.self)
        guard removalOptions.count <= 1 else {
            throw ValidationError("choose one of --until-idle, --remove-after-apdus and --remove-during-apdu")
        }
        if let dwell, !(dwell > 0 && dwell <= 3_600) { throw ValidationError("--dwell must be between 0 and 3600 seconds; got \(dwell)") }
        if let untilIdle, untilIdle <= 0 { throw ValidationError("--until-idle must be a positive number of milliseconds") }
        if let removeAfterAPDUs, removeAfterAPDUs <= 0 { throw ValidationError("--remove-after-apdus must be 1 or more") }
        if let removeDuringAPDU, removeDuringAPDU <= 0 { throw ValidationError("--remove-during-apdu must be 1 or more") }
        guard repetitions >= 1 else { throw ValidationError("--repeat must be 1 or more") }
        guard gap >= 0 && gap <= 3_600 else { throw ValidationError("--gap must be between 0 and 3600 seconds") }
    }

    var removalPolicy: RemovalPolicy {
        let hasRemovalOption = untilIdle != nil || removeAfterAPDUs != nil || removeDuringAPDU != nil
        let dwellTime = Duration.milliseconds(Int(((dwell ?? (hasRemovalOption ? 10 : 1)) * 1_000).rounded()))
        if let untilIdle { return .whenIdle(idle: .milliseconds(untilIdle), maximumDwell: dwellTime) }
        if let removeAfterAPDUs { return .afterAnswering(commands: removeAfterAPDUs, maximumDwell: dwellTime) }
        if let removeDuringAPDU { return .duringCommand(number: removeDuringAPDU, maximumDwell: dwellTime) }
        return .afterDwell(dwellTime)
    }

    func run() async throws {
        let recipe = try card.recipe()
        let reader = try readerOptions.virtualReader()
        let virtualCard = try recipe.makeCard()
        if let details = CardDetails.beforeTaps(virtualCard) { print(details) }
        for repetition in 1...repetitions {
            if repetition > 1 { try await Task.sleep(for: .milliseconds(Int((gap * 1_000).rounded()))) }
            let observer = verbose ? FieldTrace.verboseObserver(origin: .now) : nil
            let report = try await reader.tap(virtualCard, removal: removalPolicy, observer: observer)
            let label = repetitions > 1 ? "tap \(repetition)/\(repetitions): \(recipe.kind)" : "tap: \(recipe.kind)"
            print(FieldTrace.summary(report, label: label))
            if let details = CardDetails.afterTap(virtualCard) { print(details) }
        }
    }
}
