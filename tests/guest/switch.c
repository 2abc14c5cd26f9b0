// Dense switch statements (compiled to jump tables), sparse switches
// (compare trees), fallthrough, and computed goto (GNU labels as values).
#include <stdio.h>

static const char *dense(int x) {
    switch (x) {
    case 0: return "zero";   case 1: return "one";    case 2: return "two";
    case 3: return "three";  case 4: return "four";   case 5: return "five";
    case 6: return "six";    case 7: return "seven";  case 8: return "eight";
    case 9: return "nine";   case 10: return "ten";   case 11: return "eleven";
    case 12: return "twelve"; case 13: return "thirteen"; case 14: return "fourteen";
    case 15: return "fifteen"; case 16: return "sixteen"; case 17: return "seventeen";
    default: return "many";
    }
}

static int sparse(unsigned x) {
    switch (x) {
    case 1: return 10;
    case 100: return 20;
    case 1000: return 30;
    case 65535: return 40;
    case 65536: return 50;
    case 0x7fffffff: return 60;
    case 0x80000000u: return 70;
    case 0xffffffffu: return 80;
    default: return -1;
    }
}

static int fall(int x) {
    int r = 0;
    switch (x & 7) {
    case 0: r += 1; /* fallthrough */
    case 1: r += 2; /* fallthrough */
    case 2: r += 4; break;
    case 3: r += 8; /* fallthrough */
    case 4: r += 16; break;
    case 5: case 6: r += 32; break;
    default: r = -x;
    }
    return r;
}

static int negcase(int x) {
    switch (x) {
    case -5: return 1; case -4: return 2; case -3: return 3; case -2: return 4;
    case -1: return 5; case 0: return 6; case 1: return 7; case 2: return 8;
    case 3: return 9; case 4: return 10; default: return 0;
    }
}

static int run(const unsigned char *prog) {
    static void *labels[] = {&&op_inc, &&op_dbl, &&op_neg, &&op_sq, &&op_end};
    int acc = 1;
    goto *labels[*prog++];
op_inc: acc++; goto *labels[*prog++];
op_dbl: acc *= 2; goto *labels[*prog++];
op_neg: acc = -acc; goto *labels[*prog++];
op_sq:  acc *= acc; goto *labels[*prog++];
op_end: return acc;
}

int main(int argc, char **argv) {
    (void)argv;
    volatile int base = argc - 1;  // 0, but unknown to the compiler
    for (int i = -2; i < 22; i++) printf("dense(%d) = %s\n", i, dense(i + base));
    unsigned sp[] = {0, 1, 2, 100, 999, 1000, 65535, 65536, 65537, 0x7fffffff,
                     0x80000000u, 0xfffffffeu, 0xffffffffu};
    for (unsigned i = 0; i < sizeof sp / sizeof sp[0]; i++)
        printf("sparse(%u) = %d\n", sp[i], sparse(sp[i] + base));
    for (int i = 0; i < 16; i++) printf("fall(%d) = %d\n", i, fall(i + base));
    for (int i = -7; i < 7; i++) printf("neg(%d) = %d\n", i, negcase(i + base));
    unsigned char p1[] = {0, 1, 1, 3, 2, 0, 3, 4};
    unsigned char p2[] = {1, 1, 1, 1, 1, 0, 2, 3, 3, 4};
    printf("run p1 = %d, p2 = %d\n", run(p1), run(p2));
    long sum = 0;
    for (int i = 0; i < 100000; i++) sum += fall(i) * negcase((i % 11) - 5) + sparse(i % 1001);
    printf("sum = %ld\n", sum);
    return 0;
}
