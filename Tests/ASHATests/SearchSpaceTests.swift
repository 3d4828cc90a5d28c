import ASHA
import Foundation
import Testing

@Suite("Search space")
struct SearchSpaceTests {
    static let space = try! SearchSpace([
        Parameter(name: "lr", domain: .logUniform(low: 1e-5, high: 1e-1, step: nil)),
        Parameter(name: "momentum", domain: .uniform(low: 0.5, high: 0.99, step: nil)),
        Parameter(name: "dropout", domain: .uniform(low: 0, high: 0.5, step: 0.1)),
        Parameter(name: "width", domain: .logInt(low: 16, high: 1024)),
        Parameter(name: "layers", domain: .int(low: 1, high: 8)),
        Parameter(name: "wd", domain: .logUniform(low: 1e-6, high: 1e-2, step: 1e-6)),
        Parameter(name: "optimizer", domain: .choice([.string("sgd"), .string("adam"), .string("rmsprop")])),
        Parameter(name: "epochs", domain: .constant(.int(30))),
    ])

    @Test(
        "every validation error names the parameter",
        arguments: [
            (Parameter(name: "lr", domain: .uniform(low: 1, high: 1, step: nil)), "must be below"),
            (Parameter(name: "lr", domain: .uniform(low: 2, high: 1, step: nil)), "must be below"),
            (Parameter(name: "lr", domain: .uniform(low: .nan, high: 1, step: nil)), "finite"),
            (Parameter(name: "lr", domain: .uniform(low: 0, high: .infinity, step: nil)), "finite"),
            (Parameter(name: "lr", domain: .uniform(low: -1e308, high: 1e308, step: nil)), "too wide"),
            (Parameter(name: "lr", domain: .uniform(low: 0, high: 1, step: 0)), "step"),
            (Parameter(name: "lr", domain: .uniform(low: 0, high: 1, step: -0.1)), "step"),
            (Parameter(name: "lr", domain: .uniform(low: 0, high: 1, step: .nan)), "step"),
            (Parameter(name: "lr", domain: .uniform(low: 0, high: 1, step: 1e-300)), "too small"),
            (Parameter(name: "lr", domain: .logUniform(low: 0, high: 1, step: nil)), "log range"),
            (Parameter(name: "lr", domain: .logUniform(low: -1, high: 1, step: nil)), "log range"),
            (Parameter(name: "lr", domain: .logUniform(low: 1e-3, high: 1, step: .infinity)), "step"),
            (Parameter(name: "lr", domain: .int(low: 3, high: 3)), "must be below"),
            (Parameter(name: "lr", domain: .logInt(low: 0, high: 10)), "log range"),
            (Parameter(name: "lr", domain: .logInt(low: -4, high: 10)), "log range"),
            (Parameter(name: "lr", domain: .logInt(low: 10, high: 2)), "must be below"),
            (Parameter(name: "lr", domain: .choice([])), "at least one"),
        ])
    func validationNamesTheParameter(parameter: Parameter, fragment: String) {
        let ok = Parameter(name: "batch", domain: .int(low: 1, high: 4))
        #expect {
            try SearchSpace([ok, parameter])
        } throws: { error in
            guard let error = error as? SearchSpaceError else { return false }
            return error.name == "lr" && error.message.contains(fragment)
                && error.description.hasPrefix("parameter 'lr': ")
        }
    }

    @Test func duplicateAndEmptyNames() {
        let a = Parameter(name: "a", domain: .constant(.int(1)))
        #expect(throws: SearchSpaceError(parameter: "a", message: "duplicate name")) { try SearchSpace([a, a]) }
        let empty = Parameter(name: "", domain: .constant(.int(1)))
        #expect(throws: SearchSpaceError(parameter: "", message: "name must not be empty")) {
            try SearchSpace([a, empty])
        }
    }

    @Test func samplingIsReproducibleAndIndependentOfOrder() {
        let fresh = Self.space.sample(index: 5, seed: 42)
        let sequential = (0...5).map { Self.space.sample(index: $0, seed: 42) }
        #expect(sequential[5] == fresh)
        #expect(Self.space.sample(index: 5, seed: 42) == fresh)
        #expect(Self.space.sample(index: 5, seed: 43) != fresh)
        #expect(Self.space.sample(index: 6, seed: 42) != fresh)
        #expect(fresh.entries.map(\.name) == Self.space.parameters.map(\.name))
    }

    /// Pins the bits: a change of generator or of the sampling formulas must be deliberate, since it
    /// changes every run's configurations.
    @Test func samplingIsPinned() {
        let config = Self.space.sample(index: 0, seed: 7)
        #expect(config["epochs"] == .int(30))
        let again = Self.space.sample(index: 0, seed: 7)
        #expect(config.description == again.description)
        #expect(SplitMix64.bits(seed: 0, 0, 0) == SplitMix64.bits(seed: 0, 0, 0))
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)  // the reference SplitMix64 stream from seed 0
    }

    @Test func samplesStayWithinBoundsAndOnTheGrid() {
        var seen = Set<String>()
        for i in 0..<2000 {
            let c = Self.space.sample(index: i, seed: 3)
            let lr = c["lr"]!.doubleValue!
            #expect(lr >= 1e-5 && lr <= 1e-1)
            let m = c["momentum"]!.doubleValue!
            #expect(m >= 0.5 && m <= 0.99)
            let d = c["dropout"]!.doubleValue!
            #expect(d >= 0 && d <= 0.5)
            #expect(abs(d / 0.1 - (d / 0.1).rounded()) < 1e-9)
            guard case .int(let w) = c["width"]!, case .int(let l) = c["layers"]! else {
                Issue.record("width and layers must be ints")
                return
            }
            #expect((16...1024).contains(w))
            #expect((1...8).contains(l))
            let wd = c["wd"]!.doubleValue!
            #expect(wd >= 1e-6 && wd <= 1e-2)
            #expect(abs((wd - 1e-6) / 1e-6 - ((wd - 1e-6) / 1e-6).rounded()) < 1e-6)
            seen.insert(c["optimizer"]!.description)
            seen.insert("layers=\(l)")
            seen.insert("dropout=\(d)")
        }
        #expect(seen.isSuperset(of: ["sgd", "adam", "rmsprop", "layers=1", "layers=8"]))
        #expect(seen.contains("dropout=0.0") && seen.contains("dropout=0.5"))
    }

    @Test func logUniformIsSpreadOverDecades() {
        var perDecade = [Int](repeating: 0, count: 4)
        for i in 0..<4000 {
            let lr = Self.space.sample(index: i, seed: 11)["lr"]!.doubleValue!
            perDecade[min(3, Int(log10(lr / 1e-5)))] += 1
        }
        // 1000 expected per decade; a linear draw would put ~3600 in the last one.
        #expect(perDecade.allSatisfy { (850...1150).contains($0) }, "\(perDecade)")
    }

    @Test func extremeIntRanges() throws {
        let space = try SearchSpace([Parameter(name: "x", domain: .int(low: .min, high: .max))])
        let values = (0..<100).map { space.sample(index: $0, seed: 1)["x"]! }
        #expect(Set(values).count == 100)
    }
}

@Suite("Quantized domains")
struct QuantizedDomainTests {
    /// 0.3 / 0.1 is 2.9999999999999996 in binary floating point: the grid must still reach 0.3.
    @Test func gridReachesHighDespiteRounding() throws {
        let space = try SearchSpace([Parameter(name: "x", domain: .uniform(low: 0, high: 0.3, step: 0.1))])
        let values = Set((0..<400).map { space.sample(index: $0, seed: 5)["x"]!.doubleValue! })
        #expect(values.count == 4)
        #expect(values.contains(0) && values.max()! <= 0.3 && values.max()! > 0.29)
    }
}
