// Floating point through the x87 (gcc -m32): double and float arithmetic,
// conversions, libm functions, printf of floating values.
#include <stdio.h>
#include <math.h>

int main(void) {
    volatile double a = 1.5, b = -2.25, z = 0.0;
    printf("%.6f %.6f %.6f %.6f\n", a + b, a - b, a * b, a / b);
    printf("sqrt(2) = %.15f\n", sqrt(2.0));
    printf("sin(1) = %.12f cos(1) = %.12f atan2(1,2) = %.12f\n", sin(1.0), cos(1.0), atan2(1.0, 2.0));
    printf("exp(1) = %.12f log(10) = %.12f pow(2, 0.5) = %.12f\n", exp(1.0), log(10.0), pow(2.0, 0.5));
    printf("floor/ceil/round: %.1f %.1f %.1f %.1f\n", floor(-2.5), ceil(-2.5), round(-2.5), trunc(-2.7));
    printf("int conversions: %d %d %u %lld\n", (int)3.99, (int)-3.99, (unsigned)3e9, (long long)-1e15);
    printf("inf/nan: %f %f %d %d\n", 1.0 / z, -1.0 / z, isnan(z / z), isinf(1.0 / z));
    float f = 1.0f / 3.0f;
    printf("float: %.9g double: %.17g\n", f, 1.0 / 3.0);
    double s = 0;
    for (int i = 1; i <= 100000; i++) s += 1.0 / ((double)i * i);
    printf("basel sum: %.12f (pi^2/6 = %.12f)\n", s, M_PI * M_PI / 6);
    printf("%e %g %a\n", 12345.6789, 0.0001234, 1.0);
    return 0;
}
