// SPDX-License-Identifier: Apache-2.0
// Typed physical quantities: a double in one canonical unit per dimension, with the dimension in
// the type so that adding bytes to seconds does not compile. Every stage of the pipeline passes
// these instead of bare doubles (modelled on std::chrono and ChampSim's data::size).
#pragma once

#include <cmath>
#include <compare>
#include <limits>

namespace xpusim {

// Exponents of the six base dimensions. Canonical units: byte, second, FLOP (or integer op),
// millimetre, US dollar, joule. Everything else is derived (W = J/s, Hz = 1/s, mm² = mm·mm).
template <int Byte, int Time, int Flop, int Length, int Money, int Energy>
struct Dim {
  static constexpr int kByte = Byte, kTime = Time, kFlop = Flop, kLength = Length,
                       kMoney = Money, kEnergy = Energy;
};

template <class A, class B>
using DimMul = Dim<A::kByte + B::kByte, A::kTime + B::kTime, A::kFlop + B::kFlop,
                   A::kLength + B::kLength, A::kMoney + B::kMoney, A::kEnergy + B::kEnergy>;
template <class A, class B>
using DimDiv = Dim<A::kByte - B::kByte, A::kTime - B::kTime, A::kFlop - B::kFlop,
                   A::kLength - B::kLength, A::kMoney - B::kMoney, A::kEnergy - B::kEnergy>;
using Dimensionless = Dim<0, 0, 0, 0, 0, 0>;

template <class D>
class Quantity {
 public:
  using Dimension = D;
  constexpr Quantity() = default;
  constexpr explicit Quantity(double canonical) : v_(canonical) {}

  // The value in the canonical unit of the dimension (bytes, seconds, FLOP, mm, USD, J, ...).
  [[nodiscard]] constexpr double value() const { return v_; }

  constexpr Quantity& operator+=(Quantity o) { v_ += o.v_; return *this; }
  constexpr Quantity& operator-=(Quantity o) { v_ -= o.v_; return *this; }
  constexpr Quantity& operator*=(double s) { v_ *= s; return *this; }
  constexpr Quantity& operator/=(double s) { v_ /= s; return *this; }
  friend constexpr Quantity operator+(Quantity a, Quantity b) { return Quantity(a.v_ + b.v_); }
  friend constexpr Quantity operator-(Quantity a, Quantity b) { return Quantity(a.v_ - b.v_); }
  friend constexpr Quantity operator-(Quantity a) { return Quantity(-a.v_); }
  friend constexpr Quantity operator*(Quantity a, double s) { return Quantity(a.v_ * s); }
  friend constexpr Quantity operator*(double s, Quantity a) { return Quantity(a.v_ * s); }
  friend constexpr Quantity operator/(Quantity a, double s) { return Quantity(a.v_ / s); }
  friend constexpr auto operator<=>(Quantity a, Quantity b) = default;

  [[nodiscard]] bool is_finite() const { return std::isfinite(v_); }

 private:
  double v_ = 0.0;
};

// Dimensionless quantities collapse to double.
template <class D>
struct QuantityOrScalar { using type = Quantity<D>; };
template <>
struct QuantityOrScalar<Dimensionless> { using type = double; };
template <class D>
using QuantityOrScalarT = typename QuantityOrScalar<D>::type;

template <class A, class B>
constexpr QuantityOrScalarT<DimMul<A, B>> operator*(Quantity<A> a, Quantity<B> b) {
  return QuantityOrScalarT<DimMul<A, B>>(a.value() * b.value());
}
template <class A, class B>
constexpr QuantityOrScalarT<DimDiv<A, B>> operator/(Quantity<A> a, Quantity<B> b) {
  return QuantityOrScalarT<DimDiv<A, B>>(a.value() / b.value());
}
template <class A>
constexpr Quantity<DimDiv<Dimensionless, A>> operator/(double s, Quantity<A> a) {
  return Quantity<DimDiv<Dimensionless, A>>(s / a.value());
}

template <class D>
constexpr Quantity<D> max(Quantity<D> a, Quantity<D> b) { return a < b ? b : a; }
template <class D>
constexpr Quantity<D> min(Quantity<D> a, Quantity<D> b) { return a < b ? a : b; }

// ---- Named dimensions -------------------------------------------------------------------------
using Bytes = Quantity<Dim<1, 0, 0, 0, 0, 0>>;
using Seconds = Quantity<Dim<0, 1, 0, 0, 0, 0>>;
using FlopCount = Quantity<Dim<0, 0, 1, 0, 0, 0>>;        // FLOP, or integer ops for int8/int4
using Millimeters = Quantity<Dim<0, 0, 0, 1, 0, 0>>;
using SquareMillimeters = Quantity<Dim<0, 0, 0, 2, 0, 0>>;
using Usd = Quantity<Dim<0, 0, 0, 0, 1, 0>>;
using Joules = Quantity<Dim<0, 0, 0, 0, 0, 1>>;

using FlopRate = Quantity<Dim<0, -1, 1, 0, 0, 0>>;        // FLOP/s
using BytesPerSecond = Quantity<Dim<1, -1, 0, 0, 0, 0>>;
using Hertz = Quantity<Dim<0, -1, 0, 0, 0, 0>>;
using Watts = Quantity<Dim<0, -1, 0, 0, 0, 1>>;
using FlopPerByte = Quantity<Dim<-1, 0, 1, 0, 0, 0>>;     // arithmetic intensity, ridge point
using BytesPerFlop = Quantity<Dim<1, 0, -1, 0, 0, 0>>;
using PerSquareMillimeter = Quantity<Dim<0, 0, 0, -2, 0, 0>>;  // defect density
using UsdPerSquareMillimeter = Quantity<Dim<0, 0, 0, -2, 1, 0>>;
using UsdPerByte = Quantity<Dim<-1, 0, 0, 0, 1, 0>>;
using UsdPerJoule = Quantity<Dim<0, 0, 0, 0, 1, -1>>;
using TokensPerSecond = Quantity<Dim<0, -1, 0, 0, 0, 0>>;  // tokens (a count) per second
using JoulesPerFlop = Quantity<Dim<0, 0, -1, 0, 0, 1>>;
using JoulesPerByte = Quantity<Dim<-1, 0, 0, 0, 0, 1>>;
using WattsPerSquareMillimeter = Quantity<Dim<0, -1, 0, -2, 0, 1>>;
// Counts (wafers, packages, HBM stacks, EUV passes, fabs started) per unit time; same dimension as
// Hertz and TokensPerSecond (a count is dimensionless).
using CountRate = Quantity<Dim<0, -1, 0, 0, 0, 0>>;
using UsdPerSecond = Quantity<Dim<0, -1, 0, 0, 1, 0>>;     // a spending rate (production per year)
// Capital per unit of capacity, USD per (count per time): e.g. capex per wafer/month of capacity.
using UsdPerCountRate = Quantity<Dim<0, 1, 0, 0, 1, 0>>;

// ---- Construction helpers (the only place scale factors live besides the unit parser) ---------
namespace units {
constexpr double kKilo = 1e3, kMega = 1e6, kGiga = 1e9, kTera = 1e12, kPeta = 1e15;
constexpr double kKi = 1024.0, kMi = kKi * 1024.0, kGi = kMi * 1024.0, kTi = kGi * 1024.0;

constexpr Bytes bytes(double v) { return Bytes(v); }
constexpr Bytes kib(double v) { return Bytes(v * kKi); }
constexpr Bytes mib(double v) { return Bytes(v * kMi); }
constexpr Bytes gib(double v) { return Bytes(v * kGi); }
constexpr Bytes gb(double v) { return Bytes(v * kGiga); }
constexpr Seconds seconds(double v) { return Seconds(v); }
constexpr Seconds ms(double v) { return Seconds(v * 1e-3); }
constexpr Seconds us(double v) { return Seconds(v * 1e-6); }
constexpr Seconds ns(double v) { return Seconds(v * 1e-9); }
constexpr FlopCount flop(double v) { return FlopCount(v); }
constexpr FlopRate tflops(double v) { return FlopRate(v * kTera); }
constexpr BytesPerSecond bytes_per_s(double v) { return BytesPerSecond(v); }
constexpr BytesPerSecond gb_per_s(double v) { return BytesPerSecond(v * kGiga); }
constexpr BytesPerSecond tb_per_s(double v) { return BytesPerSecond(v * kTera); }
constexpr Hertz hz(double v) { return Hertz(v); }
constexpr Hertz ghz(double v) { return Hertz(v * kGiga); }
constexpr Millimeters mm(double v) { return Millimeters(v); }
constexpr SquareMillimeters mm2(double v) { return SquareMillimeters(v); }
constexpr Usd usd(double v) { return Usd(v); }
constexpr Joules joules(double v) { return Joules(v); }
constexpr Joules pj(double v) { return Joules(v * 1e-12); }
constexpr Watts watts(double v) { return Watts(v); }
constexpr PerSquareMillimeter per_cm2(double v) { return PerSquareMillimeter(v / 100.0); }
// Calendar: a Julian year of 365.25 days, a month one twelfth of it (fab capacity is quoted in
// wafer starts per month, WSPM).
constexpr double kSecondsPerHour = 3600.0;
constexpr double kSecondsPerYear = 365.25 * 86400.0;
constexpr double kSecondsPerMonth = kSecondsPerYear / 12.0;
constexpr Seconds years(double v) { return Seconds(v * kSecondsPerYear); }
constexpr CountRate per_hour(double n) { return CountRate(n / kSecondsPerHour); }
constexpr CountRate per_month(double n) { return CountRate(n / kSecondsPerMonth); }
constexpr CountRate per_year(double n) { return CountRate(n / kSecondsPerYear); }

// Read-outs in the units reports use (column names carry the unit: ttft_ms, area_mm2, ...).
constexpr double to_ms(Seconds s) { return s.value() * 1e3; }
constexpr double to_us(Seconds s) { return s.value() * 1e6; }
constexpr double to_gb(Bytes b) { return b.value() / kGiga; }
constexpr double to_gib(Bytes b) { return b.value() / kGi; }
constexpr double to_tflops(FlopRate r) { return r.value() / kTera; }
constexpr double to_gb_per_s(BytesPerSecond r) { return r.value() / kGiga; }
constexpr double to_tb_per_s(BytesPerSecond r) { return r.value() / kTera; }
constexpr double to_ghz(Hertz f) { return f.value() / kGiga; }
constexpr double to_per_cm2(PerSquareMillimeter d) { return d.value() * 100.0; }
constexpr double to_years(Seconds s) { return s.value() / kSecondsPerYear; }
constexpr double to_per_hour(CountRate r) { return r.value() * kSecondsPerHour; }
constexpr double to_per_month(CountRate r) { return r.value() * kSecondsPerMonth; }
constexpr double to_per_year(CountRate r) { return r.value() * kSecondsPerYear; }
}  // namespace units

// A fraction in [0, 1] (utilisation, yield, efficiency). Construction outside [0, 1] is a
// programming error and aborts (user input is validated before it becomes a Ratio).
class Ratio {
 public:
  constexpr Ratio() = default;
  explicit Ratio(double v);
  [[nodiscard]] constexpr double value() const { return v_; }
  friend constexpr auto operator<=>(Ratio a, Ratio b) = default;
  friend Ratio operator*(Ratio a, Ratio b) { return Ratio(a.v_ * b.v_); }

 private:
  double v_ = 0.0;
};

}  // namespace xpusim
