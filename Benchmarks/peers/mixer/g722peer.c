/* Peer for the whole-bridge figure: libspandsp G.722 (64 kbit/s) encode + decode of one 20 ms
 * frame at 16 kHz, CPU ns per frame. A bridge participant costs at least this plus mixing.
 * Build: cc -O3 -march=native g722peer.c $(pkg-config --cflags --libs spandsp) -lm */
#include <spandsp.h>
#include <stdio.h>
#include <math.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t);return t.tv_sec*1e9+t.tv_nsec;}
int main(void){
  int16_t pcm[320], out[320]; uint8_t code[160];
  for(int i=0;i<320;i++) pcm[i]=(int16_t)(1500*sin(2*M_PI*210*i/16000.0)+700*sin(2*M_PI*1130*i/16000.0));
  g722_encode_state_t *e=g722_encode_init(NULL,64000,0); g722_decode_state_t *d=g722_decode_init(NULL,64000,0);
  long n=0; double s=now(), el;
  do { for(int r=0;r<100;r++){ int b=g722_encode(e,code,pcm,320); g722_decode(d,out,code,b);} n+=100; el=now()-s; } while(el<1e9);
  printf("spandsp g722 encode+decode ns/frame=%.0f\n", el/n); return 0; }
