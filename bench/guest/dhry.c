/* dhry: a Dhrystone-like integer mix.
 * size = number of main-loop iterations (each iteration does a fixed mix of
 * procedure calls, record copies, short string ops, switches and arithmetic).
 * Why: small call/return-heavy code with struct pointers and short strings is
 * the classic "typical system code" integer workload; it stresses call/ret,
 * branch prediction of small switches and byte-string handling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

typedef enum { IDENT_1, IDENT_2, IDENT_3, IDENT_4, IDENT_5 } Enum;

typedef struct Record {
    struct Record *next;
    Enum discr;
    Enum e_comp;
    int int_comp;
    char str_comp[31];
} Record;

static Record rec_a, rec_b, rec_c;
static int glob_int;
static char glob_char1, glob_char2;
static int glob_arr1[50];
static int glob_arr2[50][50];
static char glob_str[31];
static uint32_t hash;

static void mix(uint32_t v) { hash = (hash ^ v) * 16777619u; }

static __attribute__((noinline)) Enum func_char(char c1, char c2)
{
    char a = c1, b = a;
    if (b != c2) return IDENT_1;
    glob_char1 = a;
    return IDENT_2;
}

static __attribute__((noinline)) int func_str(const char *s1, const char *s2)
{
    int i = 2;
    char c = 0;
    while (i <= 2) {
        if (func_char(s1[i], s2[i + 1]) == IDENT_1) { c = 'A'; i++; }
        else i += 3;
    }
    if (c >= 'W' && c < 'Z') i = 7;
    if (c == 'R') return 1;
    if (strcmp(s1, s2) > 0) { glob_int = i + 7; return 1; }
    return 0;
}

static __attribute__((noinline)) int func_enum(Enum e)
{
    Enum loc = e;
    return loc == IDENT_3;
}

static __attribute__((noinline)) void proc_enum(Enum in, Enum *out)
{
    *out = in;
    if (!func_enum(in)) *out = IDENT_4;
    switch (in) {
    case IDENT_1: *out = IDENT_1; break;
    case IDENT_2: *out = glob_int > 100 ? IDENT_1 : IDENT_4; break;
    case IDENT_3: *out = IDENT_2; break;
    case IDENT_4: break;
    case IDENT_5: *out = IDENT_3; break;
    }
}

static __attribute__((noinline)) void proc_int(int *p)
{
    int loc = *p + 10;
    if (glob_char1 == 'A') { loc -= 1; *p = loc - glob_int; }
    else *p = loc ^ glob_int;
}

static __attribute__((noinline)) void proc_ptr(Record **pp)
{
    if (rec_a.next != NULL) *pp = rec_a.next;
    glob_int += 3;
    (*pp)->int_comp = glob_int * 2 + 1;
}

static __attribute__((noinline)) void proc_add(int a, int b, int *out)
{
    *out = b + a + 2;
}

static __attribute__((noinline)) void proc_arr(int a1[50], int a2[50][50], int x, int y)
{
    int loc = x + 5, i;
    a1[loc] = y;
    a1[loc + 1] = a1[loc];
    a1[loc + 30] = loc;
    for (i = loc; i <= loc + 1; i++) a2[loc][i] = loc;
    a2[loc][loc - 1] += 1;
    a2[loc + 20][loc] = a1[loc];
    glob_int = 5;
}

static __attribute__((noinline)) void proc_rec(Record *r)
{
    Record *nx = r->next;
    *nx = *r;               /* structure assignment */
    r->int_comp = 5;
    nx->int_comp = r->int_comp;
    nx->next = r->next;
    proc_ptr(&nx->next);
    if (nx->discr == IDENT_1) {
        nx->int_comp = 6;
        proc_enum(r->e_comp, &nx->e_comp);
        nx->next = rec_a.next;
        proc_add(nx->int_comp, 10, &nx->int_comp);
    } else {
        *r = *nx;
    }
}

static void proc_chars(void)
{
    glob_char2 = (glob_char1 == 'A') ? 'B' : 'C';
}

static void run(int n)
{
    char str1[31], str2[31];
    int i, a, b, c;
    Enum e;
    char ch;

    rec_b.next = &rec_c;
    rec_b.discr = IDENT_1;
    rec_b.e_comp = IDENT_3;
    rec_b.int_comp = 40;
    strcpy(rec_b.str_comp, "DHRYSTONE PROGRAM, SOME STRING");
    rec_a.next = &rec_b;
    strcpy(str1, "DHRYSTONE PROGRAM, 1'ST STRING");
    glob_arr2[8][7] = 10;

    for (i = 1; i <= n; i++) {
        proc_chars();
        glob_char1 = 'A';
        a = 2;
        b = 3;
        strcpy(str2, "DHRYSTONE PROGRAM, 2'ND STRING");
        str2[(i & 7) + 2] = (char)('A' + (i % 23));
        e = IDENT_2;
        glob_int = !func_str(str1, str2);
        while (a < b) {
            c = 5 * a - b;
            proc_add(a, b, &c);
            a += 1;
        }
        proc_arr(glob_arr1, glob_arr2, a, c + (i & 3));
        proc_rec(&rec_b);
        for (ch = 'A'; ch <= glob_char2; ch++) {
            if (e == func_char(ch, 'C')) {
                proc_enum(IDENT_1, &e);
                strcpy(str2, "DHRYSTONE PROGRAM, 3'RD STRING");
                b = i;
                glob_int = i;
            }
        }
        b = b * a;
        c = b / a;
        b = 7 * (b - c) - a;
        proc_int(&a);
        if (memcmp(str2, glob_str, 8) != 0) memcpy(glob_str, str2, sizeof glob_str);
        mix((uint32_t)a); mix((uint32_t)b); mix((uint32_t)c); mix((uint32_t)e);
        mix((uint32_t)glob_int); mix((uint32_t)rec_c.int_comp);
        mix((uint32_t)(unsigned char)str2[(i * 7) % 30]);
    }
    mix((uint32_t)glob_arr1[8]); mix((uint32_t)glob_arr2[8][7]);
    mix((uint32_t)rec_b.e_comp); mix((uint32_t)rec_c.discr);
    for (i = 0; i < 30; i++) mix((uint32_t)(unsigned char)rec_c.str_comp[i]);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000000;
    if (n <= 0) { fprintf(stderr, "usage: %s [iterations>0]\n", argv[0]); return 2; }
    hash = 2166136261u;
    run(n);
    printf("dhry size=%d checksum=%08x\n", n, hash);
    return 0;
}
