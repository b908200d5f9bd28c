import CardSimulator
import Glibc

/// Prints what happens in the field, for `--verbose` and the summary after each tap.
enum FieldTrace {
    /// A live observer printing each control message and APDU exchange with its time since `origin`
    /// (taken just before the insertion; the connection itself takes microseconds on loopback).
    static func verboseObserver(origin: ContinuousClock.Instant) -> @Sendable (FieldEvent) -> Void {
        { event in
            func offset(_ instant: ContinuousClock.Instant) -> String {
                milliseconds(instant - origin).leftPadded(to: 11) + "  "
            }
            let indent = String(repeating: " ", count: 13)
            switch event {
            case .control(let control):
                print("\(offset(control.receivedAt))vpcd: \(control.control)")
            case .exchange(let exchange):
                print("\(offset(exchange.receivedAt))> \(hex(exchange.command))")
                if let response = exchange.response {
                    print(indent + "< \(hex(response))")
                } else {
                    print(indent + "< (no answer: the card left)")
                }
            case .removed:
                break
            }
            // Live means live even through a pipe (`| tee`), where stdout is block-buffered (nil: all streams).
            fflush(nil)
        }
    }

    static func summary(_ report: TapReport, label: String) -> String {
        let answered = report.exchanges.filter { $0.response != nil }.count
        var line = "\(label) on \(report.reader): \(seconds(report.dwell)) in the field, "
        line += "\(report.exchanges.count) APDU\(report.exchanges.count == 1 ? "" : "s") (\(answered) answered); "
        line += "left: \(report.removalReason)"
        if !report.wasNoticedByReader {
            line += "\n  warning: pcscd never talked to the card; taps shorter than ~0.5 s may go unseen"
        }
        return line
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let tenths = (seconds * 10_000 + attoseconds / 100_000_000_000_000)
        return "+\(tenths / 10).\(tenths % 10) ms"
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let millis = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        let fraction = String(millis % 1_000)
        return "\(millis / 1_000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction) s"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
