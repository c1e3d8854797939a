// SPDX-License-Identifier: MIT
/*
 * The fork+exec floor's program: a static binary that does nothing, so the figure is the
 * kernel's fork, exec and exit plus libc's static start-up, with no dynamic loader.
 */
int main(void)
{
        return 0;
}
