/* nicsim — command-line front end (placeholder until the CLI lands). */
#include <stdio.h>
int main(void) { puts("nicsim: under construction"); return 0; }
