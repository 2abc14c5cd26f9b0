// Ordinary floating-point C code that gcc -m32 compiles to x87 instructions
// (excluded from the corpus until x87 is implemented: the name starts with
// fp_): an n-body simulation, 4x4 Gauss-Jordan inversion, Newton square
// roots, float/double/long double conversions, integer casts, printf
// formats, strtod and libm.
//
// Iterated arithmetic is printed with 15 significant digits or fewer (at -O2
// intermediate values stay in 80-bit registers); libm results with %.12g
// (their last bits depend on the x87 transcendental instructions glibc uses);
// exact values (constants, conversions, strtod) as %a or %.17g.
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------- n-body
#define NB 5
#define SOLAR_MASS (4 * M_PI * M_PI)
#define DAYS_PER_YEAR 365.24

struct body {
    double x, y, z, vx, vy, vz, mass;
};

static struct body bodies[NB] = {
    {0, 0, 0, 0, 0, 0, SOLAR_MASS},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03 * DAYS_PER_YEAR,
     7.69901118419740425e-03 * DAYS_PER_YEAR, -6.90460016972063023e-05 * DAYS_PER_YEAR,
     9.54791938424326609e-04 * SOLAR_MASS},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03 * DAYS_PER_YEAR,
     4.99852801234917238e-03 * DAYS_PER_YEAR, 2.30417297573763929e-05 * DAYS_PER_YEAR,
     2.85885980666130812e-04 * SOLAR_MASS},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03 * DAYS_PER_YEAR,
     2.37847173959480950e-03 * DAYS_PER_YEAR, -2.96589568540237556e-05 * DAYS_PER_YEAR,
     4.36624404335156298e-05 * SOLAR_MASS},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03 * DAYS_PER_YEAR,
     1.62824170038242295e-03 * DAYS_PER_YEAR, -9.51592254519715870e-05 * DAYS_PER_YEAR,
     5.15138902046611451e-05 * SOLAR_MASS},
};

static void offset_momentum(void) {
    double px = 0, py = 0, pz = 0;
    for (int i = 0; i < NB; i++) {
        px += bodies[i].vx * bodies[i].mass;
        py += bodies[i].vy * bodies[i].mass;
        pz += bodies[i].vz * bodies[i].mass;
    }
    bodies[0].vx = -px / SOLAR_MASS;
    bodies[0].vy = -py / SOLAR_MASS;
    bodies[0].vz = -pz / SOLAR_MASS;
}

static double energy(void) {
    double e = 0;
    for (int i = 0; i < NB; i++) {
        struct body *b = &bodies[i];
        e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (int j = i + 1; j < NB; j++) {
            struct body *c = &bodies[j];
            double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
            e -= b->mass * c->mass / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

static void advance(double dt) {
    for (int i = 0; i < NB; i++) {
        struct body *b = &bodies[i];
        for (int j = i + 1; j < NB; j++) {
            struct body *c = &bodies[j];
            double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * sqrt(d2));
            b->vx -= dx * c->mass * mag;
            b->vy -= dy * c->mass * mag;
            b->vz -= dz * c->mass * mag;
            c->vx += dx * b->mass * mag;
            c->vy += dy * b->mass * mag;
            c->vz += dz * b->mass * mag;
        }
    }
    for (int i = 0; i < NB; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

static void nbody(void) {
    offset_momentum();
    printf("nbody energy before %.9f\n", energy());
    for (int step = 1; step <= 2000; step++) {
        advance(0.01);
        if (step % 500 == 0) printf("nbody step %4d energy %.9f jupiter x %.9f\n", step, energy(), bodies[1].x);
    }
}

// ---------------------------------------------------------------- Gauss-Jordan
static int invert4(const double in[4][4], double out[4][4]) {
    double a[4][8];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) a[i][j] = j < 4 ? in[i][j] : (j - 4 == i);
    for (int col = 0; col < 4; col++) {
        int piv = col;
        for (int r = col + 1; r < 4; r++)
            if (fabs(a[r][col]) > fabs(a[piv][col])) piv = r;
        if (fabs(a[piv][col]) < 1e-12) return -1;
        if (piv != col)
            for (int j = 0; j < 8; j++) {
                double t = a[col][j];
                a[col][j] = a[piv][j];
                a[piv][j] = t;
            }
        double p = a[col][col];
        for (int j = 0; j < 8; j++) a[col][j] /= p;
        for (int r = 0; r < 4; r++) {
            if (r == col) continue;
            double f = a[r][col];
            for (int j = 0; j < 8; j++) a[r][j] -= f * a[col][j];
        }
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) out[i][j] = a[i][j + 4];
    return 0;
}

static double clean(double v) { return fabs(v) < 5e-10 ? 0.0 : v; }

static void matrices(void) {
    static const double m1[4][4] = {{2, 1, 0, 0}, {1, 3, 1, 0}, {0, 1, 4, 1}, {0, 0, 1, 5}};
    static const double m2[4][4] = {{1, 2, 3, 4}, {0, 1, 2, 3}, {0, 0, 1, 2}, {1, 0, 0, 1}};  // integer inverse
    static const double m3[4][4] = {{0.5, -1.25, 3.75, 2}, {1e-3, 7, -2.5, 0.125}, {4, 4, 1, -1}, {-3, 0.3, 0.7, 9}};
    static const double m4[4][4] = {{1, 2, 3, 4}, {2, 4, 6, 8}, {0, 1, 0, 1}, {1, 1, 1, 1}};  // singular
    const double(*ms[4])[4] = {m1, m2, m3, m4};
    for (int k = 0; k < 4; k++) {
        double inv[4][4];
        if (invert4(ms[k], inv)) {
            printf("matrix %d: singular\n", k + 1);
            continue;
        }
        printf("matrix %d inverse:\n", k + 1);
        for (int i = 0; i < 4; i++)
            printf("  %14.9f %14.9f %14.9f %14.9f\n", clean(inv[i][0]), clean(inv[i][1]), clean(inv[i][2]),
                   clean(inv[i][3]));
        double maxerr = 0;
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                double s = 0;
                for (int l = 0; l < 4; l++) s += ms[k][i][l] * inv[l][j];
                double e = fabs(s - (i == j));
                if (e > maxerr) maxerr = e;
            }
        printf("  max |A*inv - I| < 1e-12: %s\n", maxerr < 1e-12 ? "yes" : "no");
    }
}

// ---------------------------------------------------------------- Newton sqrt
static void newton(void) {
    static const double vals[] = {2, 10, 12345.678, 1e-6, 1e300, 0.25};
    for (int v = 0; v < 6; v++) {
        double a = vals[v], x = a > 1 ? a / 2 : 1;
        int it = 0;
        for (; it < 2000; it++) {
            double nx = 0.5 * (x + a / x);
            if (fabs(nx - x) <= 1e-15 * nx) {
                x = nx;
                break;
            }
            x = nx;
        }
        // %.13g: at 80 bits the intermediate x + a/x rounds once, at 64 twice; the last bits may differ.
        printf("newton sqrt(%g) = %.13g (sqrt %.15g, rel diff < 1e-14: %s)\n", a, x, sqrt(a),
               fabs(x - sqrt(a)) < 1e-14 * sqrt(a) ? "yes" : "no");
    }
    // float Newton: iterations in float variables
    volatile float fa = 3.0f;
    float fx = 1.0f;
    for (int i = 0; i < 10; i++) fx = 0.5f * (fx + fa / fx);
    printf("newton float sqrt(3) = %.6g\n", fx);
}

// ---------------------------------------------------------------- long double
/* Needs 80-bit registers (fp_longdouble runs only this; wasmvisor keeps doubles, see the README). */
__attribute__((unused)) static void long_doubles(void) {
    volatile double d13 = 1.0 / 3.0;
    volatile long double ld = 1.0L / 3.0L;
    volatile long double ldd = d13;
    printf("1.0L/3            %La  %.21Lg\n", ld, ld);
    printf("(long double)(1/3) %La\n", ldd);
    printf("(double)(1.0L/3)  %a\n", (double)ld);
    printf("(float)(1.0L/3)   %a\n", (float)ld);
    volatile long double lbig = 1e4000L;
    printf("1e4000L           %Lg  (double) %g\n", lbig, (double)lbig);
    volatile long double lsum = 1.0L;
    lsum += 1e-18L;
    printf("1 + 1e-18L        %La  == 1: %d\n", lsum, lsum == 1.0L);
    volatile long long i64 = 9007199254740993LL;  // 2^53 + 1
    printf("(long double)(2^53+1) %.20Lg\n", (long double)i64);
    char *end;
    long double ls = strtold("0.1", &end);
    printf("strtold 0.1 %La\n", ls);
}

// ---------------------------------------------------------------- conversions
static void conversions(void) {
    volatile double d13 = 1.0 / 3.0, big = 1e40, tiny = 1e-40, dm = 0.1;
    volatile float f = (float)d13;
    printf("(float)(1/3)      %a  back to double %a\n", f, (double)f);
    printf("(float)1e40       %a\n", (float)big);
    printf("(float)1e-40      %a (denormal)\n", (float)tiny);
    printf("(float)0.1        %a  %.9g\n", (float)dm, (float)dm);
    volatile float fsum = 0;
    for (int i = 0; i < 1000; i++) fsum += 0.1f;
    printf("float 0.1f x1000  %.9g\n", fsum);
    volatile double dsum = 0;
    for (int i = 0; i < 1000; i++) dsum += 0.1;
    printf("double 0.1 x1000  %.17g\n", dsum);

    static const double cv[] = {3.99, -3.99, 0.5, -0.5, 2147483647.9, -2147483648.5, 1e9, -1e18, 9.2e18, 4294967295.0};
    for (int i = 0; i < 10; i++) {
        volatile double x = cv[i];
        int in = (x > -2147483649.0 && x < 2147483648.0) ? (int)x : 0;
        long long ll = (long long)x;
        unsigned u = (x > -1.0 && x < 4294967296.0) ? (unsigned)x : 0;
        short s = (x > -32769.0 && x < 32768.0) ? (short)x : 0;
        printf("cast %-14.10g int %11d  ll %20lld  unsigned %10u  short %6d\n", x, in, ll, u, s);
    }
    volatile double ub = 1.8e19;
    printf("(unsigned long long)1.8e19 = %llu\n", (unsigned long long)ub);
    volatile double u3 = 3e9;
    printf("(unsigned)3e9 = %u  (long long)3e9 = %lld\n", (unsigned)u3, (long long)u3);
    volatile long long i64 = 9007199254740993LL;  // 2^53 + 1
    printf("(double)(2^53+1) = %.17g  (float) %.9g\n", (double)i64, (float)i64);
    volatile unsigned uu = 4294967295u;
    printf("(double)4294967295u = %.17g  (float) %.9g\n", (double)uu, (float)uu);
    volatile int ineg = -2147483647 - 1;
    printf("(double)INT_MIN = %.17g\n", (double)ineg);
    volatile double r1 = 2.5, r2 = -2.5, r3 = 3.5;
    printf("lrint %ld %ld %ld  llrint %lld  nearbyint %g %g\n", lrint(r1), lrint(r2), lrint(r3), llrint(r1),
           nearbyint(r1), nearbyint(r3));
}

// ---------------------------------------------------------------- printf
static void formats(void) {
    volatile double z = 0;
    double vals[] = {0.0, -0.0, 1.0, 0.1, 1.0 / 3, 2.5, 0.125, 123456789.125, -2.5e-7, 1e21, 1e-300,
                     5e-324, DBL_MAX, DBL_MIN, 1 / z, -1 / z, M_PI, 1e100};
    int n = sizeof vals / sizeof vals[0];
    for (int i = 0; i < n; i++) {
        double v = vals[i];
        if (fabs(v) < 1e30)
            printf("%%f %f  %%e %e  %%g %g  %%a %a  %%.17g %.17g\n", v, v, v, v, v);
        else
            printf("%%e %e  %%g %g  %%a %a  %%.17g %.17g\n", v, v, v, v);
    }
    volatile double nn = z / z;
    unsigned long long nbits;
    double nv = nn;
    memcpy(&nbits, &nv, 8);
    printf("0/0: %f %e %g bits %016llx  fabs: %f\n", nv, nv, nv, nbits, fabs(nv));
    printf("%%.0f of 0.5 1.5 2.5 3.5: %.0f %.0f %.0f %.0f\n", 0.5, 1.5, 2.5, 3.5);
    printf("%%.1f of 0.05 0.25 0.35: %.1f %.1f %.1f\n", 0.05, 0.25, 0.35);
    printf("%%10.3f|%%-10.3e|%%+g|%% g: %10.3f|%-10.3e|%+g|% g\n", M_E, M_E, M_E, -M_E);
    printf("%%.30f of 0.1: %.30f\n", 0.1);
    printf("%%.3a %%A: %.3a %A\n", M_PI, M_PI);
    printf("%%Lf %%Le of 1.5L: %Lf %Le\n", 1.5L, 1.5L);
    printf("%%f of 1e20: %f\n", 1e20);
    printf("float promoted: %.9g %a\n", 3.14159f, 3.14159f);
}

// ---------------------------------------------------------------- strtod
static void parsing(void) {
    static const char *strs[] = {"3.14159",  "1e-320",     "0x1.8p3",   "  -42.5e2xyz",      "inf",
                                 "-Infinity", "nan",       "1.7976931348623157e308", "2.2250738585072011e-308",
                                 "0.1",      "123456789012345678901234567890", "1e400", "-0", ".5e+1", "0x.1p-2",
                                 "4.9406564584124654e-324", "2.4703282292062328e-324", "junk"};
    int n = sizeof strs / sizeof strs[0];
    for (int i = 0; i < n; i++) {
        char *end;
        double d = strtod(strs[i], &end);
        char buf[32];
        snprintf(buf, sizeof buf, "\"%s\"", strs[i]);
        printf("strtod %-34s %-24a used %d\n", buf, d, (int)(end - strs[i]));
    }
    char *end;
    float f = strtof("0.1", &end);
    printf("strtof 0.1 %a\n", f);
    printf("atof 6.02214076e23 %.17g\n", atof("6.02214076e23"));
}

// ---------------------------------------------------------------- libm
static void libm(void) {
    static const double a[] = {0.5, 1.0, -2.0, 3.0, 10.0, 0.001};
    for (int i = 0; i < 6; i++) {
        volatile double x = a[i];
        printf("x=%g sin %.12g cos %.12g tan %.12g atan %.12g\n", x, sin(x), cos(x), tan(x), atan(x));
    }
    static const double e[] = {0.5, 1.0, 2.302585092994046, -3.0, 20.0, 1e-5};
    for (int i = 0; i < 6; i++) {
        volatile double x = e[i];
        printf("x=%g exp %.12g log %.12g log10 %.12g sqrt %.12g\n", x, exp(x), log(fabs(x)), log10(fabs(x)),
               sqrt(fabs(x)));
    }
    static const double y2[] = {1, 1, -1, 0, 3, -2, 1e-300};
    static const double x2[] = {1, -1, -1, -1, 0, 5, 1};
    for (int i = 0; i < 7; i++) {
        volatile double y = y2[i], x = x2[i];
        printf("atan2(%g, %g) %.12g  hypot %.12g\n", y, x, atan2(y, x), hypot(y, x));
    }
    printf("hypot(3,4) %.12g hypot(1e200,1e200) %.12g hypot(1e-200,1e-200) %.12g\n", hypot(3, 4), hypot(1e200, 1e200),
           hypot(1e-200, 1e-200));
    static const double pb[] = {2, 2, 10, 2.5, -2, 0.5, 1e10, 0};
    static const double pe[] = {10, 0.5, -3, 3.5, 3, -2, 0.1, 0};
    for (int i = 0; i < 8; i++) {
        volatile double b = pb[i], x = pe[i];
        printf("pow(%g, %g) %.12g\n", b, x, pow(b, x));
    }
    static const double fa[] = {10.5, -7.25, 1e10, 5.0, 0.3};
    static const double fb[] = {3, 2, 3.3, -0.75, 0.1};
    for (int i = 0; i < 5; i++) {
        volatile double x = fa[i], y = fb[i];
        printf("fmod(%g, %g) %.12g\n", x, y, fmod(x, y));
    }
    static const double r[] = {2.5, -2.5, 0.5, -0.5, -0.2, 1.7, -1.7, 1e15 + 0.5, 4503599627370497.0};
    for (int i = 0; i < 9; i++) {
        volatile double x = r[i];
        printf("x=%-18.17g floor %.17g ceil %.17g round %.17g trunc %.17g\n", x, floor(x), ceil(x), round(x), trunc(x));
    }
    volatile float fx = 0.7f;
    printf("sinf %.6g cosf %.6g expf %.6g logf %.6g sqrtf %.7g powf %.6g\n", sinf(fx), cosf(fx), expf(fx), logf(fx),
           sqrtf(fx), powf(fx, 3.5f));
    printf("sqrt(-1) isnan %d  log(0) %g  exp(1000) %g  exp(-1000) %g\n", isnan(sqrt(-(double)fx)) != 0, log(0.0 * fx),
           exp(1000.0 + fx), exp(-1000.0 - fx));
}

int main(void) {
#ifdef X87_EXTENDED_ONLY
    long_doubles();
    return 0;
#endif
    nbody();
    matrices();
    newton();
    conversions();
    formats();
    parsing();
    libm();
    return 0;
}
