extension FixedWidthInteger {
    /// `self + other`, or the type's largest (smallest) value when the sum would overflow: for
    /// totals of input-derived numbers, where a wrong but huge total is better than a trap.
    @inline(__always)
    public func saturatingAdding(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self - other`, or the type's smallest (largest) value when the difference would overflow.
    @inline(__always)
    public func saturatingSubtracting(_ other: Self) -> Self {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return difference }
        return other > 0 ? .min : .max
    }
}

extension Sequence where Element: FixedWidthInteger {
    /// The sum of the elements, saturating at the type's bounds instead of trapping.
    public func saturatingSum() -> Element {
        reduce(0) { $0.saturatingAdding($1) }
    }
}
